// The pages around the room — sign-in, catalog, profile, friends, matches — as a user meets them, in
// headless Chromium against the whole stack: each at 1366×768 and 390×844, in English and Russian, light
// and dark, with an axe-core scan (no serious or critical violations), a screenshot
// (test-artifacts/ui-<page>-<size>-<lang>-<theme>.png), and in Russian no English sentence of the
// catalogue left on screen. Refusals come from the catalogue by their code. Then fullscreen in
// the room keeps the chat and the reactions as an overlay.
import { join } from 'node:path'
import { waitFor } from '@watch-together/test-kit'
import type { Page } from 'playwright-core'
import t, { type Test } from 'tap'
import { ruAccounts } from '../src/i18n/ru-accounts.js'
import type { Strings } from '../src/i18n/strings.js'
import { seriousViolations } from './helpers/axe.js'
import { ARTIFACTS, launchBrowser, watchConsole } from './helpers/browser.js'
import { englishLeft } from './helpers/english.js'
import { inViewport, type Lang, person, type Theme, type Who } from './helpers/room-story.js'
import { startStack } from './helpers/stack.js'

// Real browsers on a shared 2-core machine: 40 scanned pages outlast tap's default 120 s under load.
t.setTimeout(600_000)

const PASSWORD = 'correct horse battery staple'
const COMBOS: Array<{ lang: Lang, theme: Theme }> = [{ lang: 'en', theme: 'light' }, { lang: 'en', theme: 'dark' }, { lang: 'ru', theme: 'light' }, { lang: 'ru', theme: 'dark' }]
/** Each page's heading, per language: proof the page is drawn and in that language. */
const HEADINGS: Record<string, Record<Lang, string>> = {
  'sign-in': { en: 'Sign in to Watch Together', ru: 'Вход в «Смотрим вместе»' },
  catalog: { en: 'Films', ru: 'Фильмы' },
  profile: { en: 'Your profile', ru: 'Ваш профиль' },
  friends: { en: 'Friends', ru: 'Друзья' },
  matches: { en: 'Matches', ru: 'Совпадения' }
}
const PATHS: Record<string, string> = { 'sign-in': '/sign-in', catalog: '/', profile: '/profile', friends: '/friends', matches: '/matches' }
/** What must be on screen before the page is scanned (its data loaded, not only its frame). */
const READY: Record<string, string> = {
  'sign-in': '#sign-in-email',
  catalog: '.film img.poster',
  profile: '#profile-handle',
  friends: '#friends-list .person',
  matches: '#matches .match'
}

const { base } = await startStack(t)
const browser = await launchBrowser(t)

/** room-api as a script would call it: JSON in, JSON out, refusals thrown. */
async function call<T> (method: string, path: string, token: string | null, body?: unknown): Promise<T> {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {})
  })
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`)
  return await res.json() as T
}
const signUp = (displayName: string, handle: string) => call<{ token: string, user: { id: string } }>('POST', '/auth/sign-up', null,
  { email: `${handle}@example.com`, password: PASSWORD, displayName, handle })

// Vera has a friend (Lev, who wants Sintel too: a match), a request from Ivan, and one of her own to Olga.
const vera = await signUp('Vera', 'vera')
const lev = await signUp('Lev', 'lev')
const ivan = await signUp('Ivan', 'ivan')
await signUp('Olga', 'olga')
await call('POST', '/me/friend-requests', vera.token, { handle: 'lev' })
await call('POST', `/me/friend-requests/${vera.user.id}/accept`, lev.token)
await call('POST', '/me/friend-requests', ivan.token, { handle: 'vera' })
await call('POST', '/me/friend-requests', vera.token, { handle: 'olga' })
const { films } = await call<{ films: Array<{ id: string, title: string }> }>('GET', '/films?limit=100', vera.token)
const sintel = films.find((f) => f.title === 'Sintel')!
for (const token of [vera.token, lev.token]) await call('PUT', `/me/watchlist/${sintel.id}`, token)

/** The page in a language and a theme: both remembered in this browser, then the page loaded afresh. */
async function visit (t: Test, page: Page, name: string, who: Who) {
  await page.evaluate(({ lang, theme }) => { localStorage.setItem('wt.lang', lang); localStorage.setItem('wt.theme', theme) }, who)
  await page.goto(`${base}${PATHS[name]}`)
  await page.getByRole('heading', { level: 1, name: HEADINGS[name]![who.lang], exact: true }).waitFor()
  await page.locator(READY[name]!).first().waitFor()
  t.same(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dataset.theme]), [who.lang, who.theme], `${name}: ${who.lang}, ${who.theme}`)
  if (who.lang === 'ru') {
    t.same(await englishLeft(page), [], `${name} (${who.size}): no English sentence of the catalogue left in Russian`)
  }
  t.same(await seriousViolations(page), [], `axe: no serious or critical violations on ${name} (${who.size}, ${who.lang}, ${who.theme})`)
  await page.screenshot({ path: join(ARTIFACTS, `ui-${name}-${who.size}-${who.lang}-${who.theme}.png`), fullPage: true })
}
for (const size of ['desktop', 'phone'] as const) {
  t.test(`the account pages on a ${size}, in both languages and both themes`, async (t) => {
    const { context, page } = await person(browser, base, { size, lang: 'en', theme: 'light' })
    t.teardown(() => context.close())
    const problems = watchConsole(page, size)
    await page.goto(`${base}/sign-in`)
    for (const combo of COMBOS) await visit(t, page, 'sign-in', { size, ...combo })

    // A refusal in the page's language, from the catalogue by its code (ROOM_SIGN_IN_FAILED), never room-api's text.
    const form = page.locator('#sign-in-form')
    await form.locator('#sign-in-email').fill('nobody@example.com')
    await form.locator('#sign-in-password').fill('not a password at all')
    await form.getByRole('button', { name: 'Войти', exact: true }).click()
    await form.locator('.error', { hasText: (ruAccounts.account as Strings & { errors: Strings }).errors.ROOM_SIGN_IN_FAILED as string }).waitFor()
    // Checked before sending: the words next to the field, in Russian, with Russian plural forms.
    await page.getByRole('button', { name: 'Создать аккаунт', exact: true }).click()
    await page.locator('#sign-up-password').fill('short')
    await page.locator('#sign-up-form').getByRole('button', { name: 'Создать аккаунт', exact: true }).click()
    await page.locator('#sign-up-password-error', { hasText: 'Пароль должен быть не короче 10 символов (сейчас 5).' }).waitFor()
    await page.screenshot({ path: join(ARTIFACTS, `ui-sign-up-mistakes-${size}-ru-dark.png`), fullPage: true })

    // Vera signs in (in Russian: the page keeps the language), then every page in every language and theme.
    await page.locator('#sign-up-form').getByRole('button', { name: 'Войти', exact: true }).click()
    await form.locator('#sign-in-email').fill('vera@example.com')
    await form.locator('#sign-in-password').fill(PASSWORD)
    await form.getByRole('button', { name: 'Войти', exact: true }).click()
    await page.locator('.film img.poster').first().waitFor()
    for (const name of ['catalog', 'profile', 'friends', 'matches']) {
      for (const combo of COMBOS) await visit(t, page, name, { size, ...combo })
    }
    // Dates per locale on the friends page ("friends since …"), the page still in Russian.
    await page.goto(`${base}/friends`)
    const since = await page.locator('#friends-list .person .since').first().textContent()
    t.match(since, /^друзья с /, 'the friend\'s date in words of the page\'s language')
    t.same(problems.filter((p) => !/status of 401/.test(p)), [], 'no console errors (but the refused sign-in)')
  })
}

t.test('fullscreen keeps the chat and the reactions over the video', async (t) => {
  const who: Who = { size: 'desktop', lang: 'en', theme: 'dark' }
  const { context, page } = await person(browser, base, who)
  t.teardown(() => context.close())
  const problems = watchConsole(page, 'desktop')
  await page.goto(`${base}/sign-in`)
  await page.locator('#sign-in-email').fill('lev@example.com')
  await page.locator('#sign-in-password').fill(PASSWORD)
  await page.locator('#sign-in-form').getByRole('button', { name: 'Sign in', exact: true }).click()
  await page.locator('.film img.poster').first().waitFor()

  // From the match: "Watch Sintel together" makes the room and invites Vera.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Matches', exact: true }).click()
  await page.getByRole('button', { name: 'Watch Sintel together with Vera' }).click()
  await page.waitForURL(/\/rooms\/[0-9a-f-]{36}$/)
  await page.locator('#connection-state[data-state="open"]').waitFor()

  await page.locator('#fullscreen').click()
  await waitFor('fullscreen', () => page.evaluate(() => document.fullscreenElement?.classList.contains('stage') === true))
  await page.locator('.stage.is-fullscreen .fs-chat').waitFor()
  t.equal(await page.locator('#fullscreen').getAttribute('aria-pressed'), 'true', 'the button says it is on')
  await inViewport(t, page, '#room-video', 'fullscreen: the video')
  await inViewport(t, page, '#fs-chat-input', 'fullscreen: the chat input')
  // The chat still works from the overlay, and what is said shows over the video.
  await page.locator('#fs-chat-input').fill('Fullscreen hello')
  await page.locator('#fs-chat-input').press('Enter')
  await page.locator('.fs-chat .fs-messages li', { hasText: 'Fullscreen hello' }).waitFor()
  // A reaction floats over the video, inside the fullscreen element.
  await page.locator('.stage .float-picker button').first().click()
  await page.locator('.stage.is-fullscreen .floats .float').first().waitFor()
  t.ok(await page.evaluate(() => document.fullscreenElement?.contains(document.querySelector('.floats .float')) === true), 'the reaction is inside what is fullscreen')
  t.same(await seriousViolations(page), [], 'axe: no serious or critical violations in fullscreen')
  await page.screenshot({ path: join(ARTIFACTS, 'ui-fullscreen-desktop-en-dark.png') })
  await page.locator('#fullscreen').click()
  await waitFor('fullscreen left', () => page.evaluate(() => document.fullscreenElement === null))
  await page.locator('.fs-chat').waitFor({ state: 'detached' })
  t.same(problems, [], 'no console errors')
})
