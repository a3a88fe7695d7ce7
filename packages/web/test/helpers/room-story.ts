// The room as a new user meets it, in headless Chromium against the whole stack: the user story for a
// host at 1366×768 and a guest at 390×844, in the language and color scheme of their browsers, with
// layout facts, an axe-core scan of every page (no serious or critical violations) and a screenshot
// of every page (test-artifacts/ui-<page>-<size>-<lang>-<theme>.png). Run twice, crossed, by
// room-ui-*.e2e.test.ts: each size once in English and once in Russian, once light and once dark.
import { join } from 'node:path'
import { waitFor } from '@watch-together/test-kit'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import type { Test } from 'tap'
import { seriousViolations } from './axe.js'
import { ARTIFACTS, devSignIn, launchBrowser, watchConsole } from './browser.js'
import { englishLeft } from './english.js'
import { startStack } from './stack.js'

export type Lang = 'en' | 'ru'
export type Theme = 'light' | 'dark'
export interface Who { size: 'desktop' | 'phone', lang: Lang, theme: Theme }

const DESKTOP = { width: 1366, height: 768 }
const PHONE = { width: 390, height: 844 }
/** The words the test looks for, per language (the page's own catalogue has them all). */
const W = {
  en: { together: 'Watch Sintel together', create: 'Create room', play: 'Play', pause: 'Pause', next: 'Next film', switch: 'Yes, switch', people: 'People', queue: 'Queue', invite: 'Invite', close: 'Close room…', closeYes: 'Yes, close it for everyone', closed: 'This room is closed', notFound: 'Page not found', cannotJoin: 'Cannot join', back: 'Back to the films', send: 'Send', message: 'Message', shortcuts: 'Keyboard shortcuts', reconnecting: /Reconnecting/, retry: 'Retry now' },
  ru: { together: 'Смотреть «Sintel» вместе', create: 'Создать комнату', play: 'Смотреть', pause: 'Пауза', next: 'Следующий фильм', switch: 'Да, переключить', people: 'Участники', queue: 'Очередь', invite: 'Пригласить', close: 'Закрыть комнату…', closeYes: 'Да, закрыть для всех', closed: 'Комната закрыта', notFound: 'Страница не найдена', cannotJoin: 'Не удалось войти', back: 'Назад к фильмам', send: 'Отправить', message: 'Сообщение', shortcuts: 'Сочетания клавиш', reconnecting: /Переподключ/, retry: 'Повторить сейчас' }
} as const

export async function person (browser: Browser, base: string, who: Who): Promise<{ context: BrowserContext, page: Page }> {
  const context = await browser.newContext({
    viewport: who.size === 'desktop' ? DESKTOP : PHONE,
    ...(who.size === 'phone' ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
    locale: who.lang === 'ru' ? 'ru-RU' : 'en-US',
    colorScheme: who.theme
  })
  context.setDefaultTimeout(45_000)
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base })
  return { context, page: await context.newPage() }
}

export const video = (page: Page) => page.evaluate(() => {
  const v = document.querySelector('video')!
  return { time: v.currentTime, paused: v.paused, ready: v.readyState }
})
const box = async (page: Page, selector: string) => {
  const b = await page.locator(selector).first().boundingBox()
  if (!b) throw new Error(`${selector} has no box (not shown)`)
  return b
}
/** The element lies wholly inside the viewport. */
export async function inViewport (t: Test, page: Page, selector: string, what: string) {
  const b = await box(page, selector)
  const v = page.viewportSize()!
  t.ok(b.y >= 0 && b.x >= 0 && b.y + b.height <= v.height + 1 && b.x + b.width <= v.width + 1,
    `${what} inside the ${v.width}×${v.height} viewport (${Math.round(b.x)},${Math.round(b.y)} ${Math.round(b.width)}×${Math.round(b.height)})`)
}

async function scan (t: Test, page: Page, name: string, who: Who) {
  const violations = await seriousViolations(page)
  t.same(violations, [], `axe: no serious or critical violations on ${name} (${who.size}, ${who.lang}, ${who.theme})`)
  if (who.lang === 'ru') t.same(await englishLeft(page), [], `${name} (${who.size}): no English sentence of the catalogue left in Russian`)
  await page.screenshot({ path: join(ARTIFACTS, `ui-${name}-${who.size}-${who.lang}-${who.theme}.png`) })
}

/** The whole story for a host on a desktop and a guest on a phone, each in their own language and theme. */
export async function story (t: Test, hostWho: Who, guestWho: Who) {
  const { base } = await startStack(t)
  const browser = await launchBrowser(t)
  const H = W[hostWho.lang]
  const G = W[guestWho.lang]
  const { context: hc, page: host } = await person(browser, base, hostWho)
  const { context: gc, page: guest } = await person(browser, base, guestWho)
  t.teardown(async () => { await hc.close(); await gc.close() })
  const problems = [...watchConsole(host, 'host'), ...watchConsole(guest, 'guest')]

  // The language and the theme follow the browser.
  await host.goto(`${base}/`)
  await host.locator('#dev-name').waitFor()
  t.equal(await host.evaluate(() => document.documentElement.dataset.theme), hostWho.theme, 'the theme follows the system')
  await scan(t, host, 'sign-in', hostWho)
  await devSignIn(host, hostWho.lang === 'en' ? 'Vasily' : 'Василий')
  await host.locator('.film img.poster').first().waitFor()
  t.equal(await host.evaluate(() => document.documentElement.lang), hostWho.lang, 'the language follows the browser')
  await scan(t, host, 'catalog', hostWho)
  await host.getByRole('button', { name: H.together }).click()
  await host.getByRole('dialog').getByRole('button', { name: H.create, exact: true }).click()
  await host.waitForURL(/\/rooms\/[0-9a-f-]{36}$/)
  await host.locator('#connection-state[data-state="open"]').waitFor()
  t.equal(await host.title(), hostWho.lang === 'en' ? 'Sintel · Watch Together' : 'Sintel · Смотрим вместе', 'the tab names the film')

  // Desktop theater: the video and the chat input in view, the chat column the window's full height.
  await inViewport(t, host, '#room-video', 'host: the video')
  await inViewport(t, host, '#chat-input', 'host: the chat input')
  const side = await box(host, '.side')
  const header = await box(host, '.site-header')
  t.ok(side.y <= header.y + header.height + 1 && side.y + side.height >= DESKTOP.height - 1, `the chat column spans the full height under the top bar (${Math.round(side.y)}–${Math.round(side.y + side.height)})`)
  t.ok((await box(host, '#room-video')).width >= 900, 'the video takes the width the chat leaves')
  await scan(t, host, 'room', hostWho)

  // The invite link (in the inviter's language) from the Invite tool; the guest opens it on a phone.
  await host.getByRole('button', { name: H.invite }).click()
  const invite = await host.locator('#invite-link').inputValue()
  t.match(invite, hostWho.lang === 'ru' ? /\/r\/[0-9A-Za-z]{12}\?lang=ru$/ : /\/r\/[0-9A-Za-z]{12}$/, 'the invite link carries the inviter\'s language')
  await scan(t, host, 'room-invite', hostWho)
  await host.keyboard.press('Escape')
  await host.locator('#tool-sheet').waitFor({ state: 'hidden' })
  await guest.goto(invite)
  await devSignIn(guest, guestWho.lang === 'en' ? 'Petr' : 'Пётр')
  await guest.waitForURL(/\/rooms\/[0-9a-f-]{36}$/)
  await guest.locator('#connection-state[data-state="open"]').waitFor()

  // Phone: the video pinned at the top, the chat input in view, tools in a sheet.
  await inViewport(t, guest, '#room-video', 'guest: the video')
  await inViewport(t, guest, '#chat-input', 'guest: the chat input')
  t.ok((await box(guest, '#room-video')).y < 80, 'the video is at the top')
  await guest.getByRole('button', { name: new RegExp(`^${G.people}`) }).click()
  await guest.locator('#members .member', { hasText: hostWho.lang === 'en' ? 'Vasily' : 'Василий' }).locator('.badge.host').waitFor()
  await inViewport(t, guest, '#tool-sheet', 'guest: the tools sheet')
  await scan(t, guest, 'room-people', guestWho)
  await guest.getByRole('button', { name: guestWho.lang === 'en' ? 'Close' : 'Закрыть', exact: true }).click()
  await guest.locator('#tool-sheet').waitFor({ state: 'hidden' })

  // Chat both ways; a long chat scrolls inside its column and never pushes the input or the video away.
  for (let i = 1; i <= 8; i++) {
    await guest.getByLabel(G.message, { exact: true }).fill(`line ${i}`)
    await guest.getByLabel(G.message, { exact: true }).press('Enter')
  }
  await host.locator('#chat-messages .text', { hasText: 'line 8' }).waitFor()
  await host.getByLabel(H.message, { exact: true }).fill('Hello!')
  await host.getByRole('button', { name: H.send }).click()
  await guest.locator('#chat-messages .text', { hasText: 'Hello!' }).waitFor()
  for (const [page, who] of [[host, 'host'], [guest, 'guest']] as const) {
    await inViewport(t, page, '#room-video', `${who}: the video after a long chat`)
    await inViewport(t, page, '#chat-input', `${who}: the chat input after a long chat`)
  }
  await scan(t, guest, 'room', guestWho)

  // Play for the room; a reaction floats over both videos.
  for (const page of [host, guest]) await waitFor('video ready', async () => (await video(page)).ready >= 2, 30_000)
  await host.getByRole('button', { name: H.play, exact: true }).click()
  await waitFor('guest playing', async () => !(await video(guest)).paused)
  await guest.locator('.float-picker button').nth(5).click()
  await host.locator('.floats .float', { hasText: '🔥' }).waitFor()
  await waitFor('the guest measures an honest sync bound', () => guest.locator('#sync-offset').getAttribute('data-bound-ms').then((v) => v ?? undefined))
  const bound = Number(await guest.locator('#sync-offset').getAttribute('data-bound-ms'))
  const error = Number(await guest.locator('#sync-offset').getAttribute('data-error-ms'))
  t.ok(error > 0 && bound >= error, `the bound (${bound} ms) includes the clock's error (±${error} ms), never less`)

  // A film change in an "everyone" room asks first; then the title, the heading and the queue follow on both pages.
  await guest.getByRole('button', { name: G.next }).click()
  await guest.getByRole('dialog').waitFor()
  await scan(t, guest, 'confirm-film', guestWho)
  await guest.getByRole('button', { name: G.switch }).click()
  for (const page of [host, guest]) {
    await page.locator('.room-title h1', { hasText: 'Big Buck Bunny' }).waitFor()
    await waitFor('tab title follows', async () => (await page.title()).startsWith('Big Buck Bunny'))
  }
  await host.getByRole('button', { name: H.queue }).click()
  t.equal(await host.locator('#queue [aria-current="true"]').textContent().then((s) => s?.includes('Big Buck Bunny')), true, 'the queue marks the film playing now')
  await scan(t, host, 'room-queue', hostWho)
  await host.keyboard.press('Escape')

  // The help overlay (?), then the language switched by hand.
  await host.locator('body').press('?')
  await host.getByRole('dialog', { name: H.shortcuts }).waitFor()
  await scan(t, host, 'shortcuts', hostWho)
  await host.keyboard.press('Escape')
  await host.getByRole('dialog').waitFor({ state: 'detached' })
  const other: Lang = hostWho.lang === 'en' ? 'ru' : 'en'
  await host.getByRole('button', { name: H.invite }).click()
  await host.locator('#room-pref-lang').selectOption(other)
  await host.locator('#close-room', { hasText: W[other].close }).waitFor({ state: 'attached' })
  t.equal(await host.evaluate(() => document.documentElement.lang), other, 'switched by hand')
  await host.locator('#room-pref-lang').selectOption(hostWho.lang)

  // The host closes the room: both see the closed page with the chat kept.
  await host.getByRole('button', { name: new RegExp(`^${H.people}`) }).click()
  await host.getByRole('button', { name: H.close }).click()
  await host.getByRole('button', { name: H.closeYes }).click()
  for (const [page, who, words] of [[host, hostWho, H], [guest, guestWho, G]] as const) {
    await page.getByRole('heading', { name: words.closed }).waitFor()
    t.ok((await page.locator('#closed-history .text').allTextContents()).includes('Hello!'), 'the chat history is readable')
    await scan(t, page, 'closed', who)
  }

  // A page that does not exist and a broken room link: styled, in words, with the way back.
  for (const [page, who, words] of [[host, hostWho, H], [guest, guestWho, G]] as const) {
    const res = await page.goto(`${base}/no/such/page`)
    t.equal(res?.status(), 404, 'a real 404')
    await page.getByRole('heading', { name: words.notFound }).waitFor()
    await scan(t, page, 'not-found', who)
    await page.goto(`${base}/rooms/not-a-room`)
    await page.getByRole('heading', { name: words.cannotJoin }).waitFor()
    const text = await page.locator('#room-problem').textContent() ?? ''
    t.notMatch(text, /Invalid|UUID|VALIDATION|\{/, 'no raw code, JSON or validator message')
    await scan(t, page, 'bad-link', who)
    await page.getByRole('link', { name: words.back }).click()
    await page.locator('.film img.poster').first().waitFor()
    if (who.size === 'phone') await scan(t, page, 'catalog', who)
  }
  t.same(problems.filter((p) => !/status of 404/.test(p)), [], 'no console errors on either page (but the 404s asked for)')
}
