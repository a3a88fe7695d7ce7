// Debian's chromium driven by playwright-core (no browser download). Playwright gives every
// launch a fresh temporary profile (--user-data-dir); each context is a separate user.
import { existsSync, mkdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { type Browser, chromium, type Page } from 'playwright-core'

export const CHROMIUM = '/usr/bin/chromium'
export const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts', import.meta.url))
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync']

interface Teardown { teardown (fn: () => unknown): void }

export async function launchBrowser (t: Teardown): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}: apt-get install -y chromium (infra/dev test does it)`)
  mkdirSync(ARTIFACTS, { recursive: true })
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS })
  t.teardown(() => browser.close())
  return browser
}

/** Console errors and uncaught page errors, collected so the test can require none. */
export function watchConsole (page: Page, who: string): string[] {
  const problems: string[] = []
  page.on('console', (msg) => { if (msg.type() === 'error') problems.push(`${who} console: ${msg.text()}`) })
  page.on('pageerror', (err) => problems.push(`${who} page error: ${err.message}`))
  return problems
}

/** Development sign-in (room-api's DEV_SIGN_IN, on in the test stack) from the sign-in page an invite or a page sent us to. */
export async function devSignIn (page: Page, name: string) {
  await page.waitForURL(/\/sign-in\?next=/)
  await page.getByLabel('Name (development only)').fill(name)
  await page.getByRole('button', { name: 'Sign in with this name' }).click()
}
