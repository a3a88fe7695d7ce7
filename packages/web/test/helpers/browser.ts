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

/** Chromium's fake camera (a test pattern) and microphone (a beep), granted without a prompt: the call's e2e. */
export const FAKE_MEDIA = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', '--autoplay-policy=no-user-gesture-required']

export async function launchBrowser (t: Teardown, extraArgs: string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}: apt-get install -y chromium (infra/dev test does it)`)
  mkdirSync(ARTIFACTS, { recursive: true })
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...ARGS, ...extraArgs] })
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

/**
 * Development sign-in (room-api's DEV_SIGN_IN, on in the test stack) from the sign-in page an invite or a page
 * sent us to, in whichever language the page speaks (so by the form's ids, not its words).
 */
export async function devSignIn (page: Page, name: string) {
  await page.waitForURL(/\/sign-in\?next=/)
  await page.locator('#dev-name').fill(name)
  await page.locator('#dev-sign-in button[type="submit"]').click()
}

/**
 * Opens one of the room's tools (the sheet over the chat column, or the phone's bottom sheet), or
 * closes the open one (null): members, host tools and moderation are under "people".
 */
export async function tool (page: Page, name: 'people' | 'invite' | 'queue' | null) {
  for (const other of ['people', 'invite', 'queue'] as const) {
    const button = page.locator(`#tool-${other}`)
    const open = (await button.getAttribute('aria-expanded')) === 'true'
    if (open !== (other === name)) await button.click()
  }
  await page.locator('#tool-sheet').waitFor({ state: name ? 'visible' : 'hidden' })
}

/** Moves the room's seek slider as a user drags it (input, then change). */
export async function seekTo (page: Page, seconds: number) {
  await page.locator('#seek').evaluate((el, value) => {
    const input = el as HTMLInputElement
    input.value = String(value)
    input.dispatchEvent(new Event('input', { bubbles: true }))
    input.dispatchEvent(new Event('change', { bubbles: true }))
  }, seconds)
}

/** From the catalog: "Watch <title> together", then Create room; resolves in the room, connected. */
export async function createRoom (page: Page, filmTitle: string) {
  await page.getByRole('button', { name: `Watch ${filmTitle} together` }).click()
  await page.getByRole('dialog').getByRole('button', { name: 'Create room', exact: true }).click()
  await page.waitForURL(/\/rooms\/[0-9a-f-]{36}$/)
  await page.locator('#connection-state[data-state="open"]').waitFor()
}
