// Accounts, friends and live invitations in headless Chromium against the whole stack (issue 14):
// a brand-new person arrives by an invite link and creates an account on the offered screen; Vasily and
// Petr sign up, become friends by handle, find a film they both want, and "Watch together" brings Petr
// in through a live invitation. Sessions survive reloads (refresh cookie, one tab at a time), sign out
// everywhere ends them, and a locked sign-in says how long to wait. Telegram's widget is a local stub
// (no network): the page renders it only because this room-api has a bot configured.
import { createHash, createHmac } from 'node:crypto'
import { join } from 'node:path'
import { deflateSync } from 'node:zlib'
import { waitFor } from '@watch-together/test-kit'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import t from 'tap'
import { ARTIFACTS, devSignIn, launchBrowser, watchConsole } from './helpers/browser.js'
import { startStack } from './helpers/stack.js'

// Real browsers on a shared 2-core machine: a whole user story can outlast tap's default 120 s under load.
t.setTimeout(300_000)

const BOT_TOKEN = '123456:wt-e2e-telegram-bot-token-abcdef'
const BOT_NAME = 'wt_e2e_bot'
const PASSWORD = 'correct horse battery staple'

const { base } = await startStack(t, {
  roomApi: { TELEGRAM_BOT_TOKEN: BOT_TOKEN, TELEGRAM_BOT_NAME: BOT_NAME, SIGN_IN_MAX_FAILURES_PER_ACCOUNT: '2' }
})
const browser = await launchBrowser(t)

/** A browser user: desktop or phone, with console errors collected. */
async function person (browser: Browser, phone: boolean): Promise<{ context: BrowserContext, page: Page, problems: string[] }> {
  const context = await browser.newContext(phone
    ? { viewport: { width: 412, height: 915 }, isMobile: true, hasTouch: true }
    : { viewport: { width: 1280, height: 860 } })
  context.setDefaultTimeout(45_000)
  // Telegram's Login Widget, stubbed: a button that hands the page's data-onauth callback a user object
  // the test signed (window.__telegramUser), as the real widget's iframe would.
  await context.route('https://telegram.org/**', (route) => route.fulfill({
    contentType: 'application/javascript',
    body: `(() => {
      const script = document.currentScript
      const button = document.createElement('button')
      button.type = 'button'
      button.textContent = 'Log in with Telegram (' + script.dataset.telegramLogin + ')'
      button.addEventListener('click', () => new Function('user', script.dataset.onauth)(window.__telegramUser))
      script.after(button)
    })()`
  }))
  const page = await context.newPage()
  return { context, page, problems: watchConsole(page, phone ? 'phone' : 'desktop') }
}

const nav = (page: Page, name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true })

/** Fills the "Create an account" form (the sign-in page shows "Sign in" first). */
async function fillSignUp (page: Page, who: { name: string, email: string, password?: string, handle?: string }) {
  await page.getByRole('button', { name: 'Create an account' }).click()
  const form = page.getByRole('form', { name: 'Create an account' })
  await form.getByLabel('Your name').fill(who.name)
  await form.getByLabel('Email').fill(who.email)
  await form.getByLabel('Password', { exact: true }).fill(who.password ?? PASSWORD)
  if (who.handle !== undefined) await form.getByLabel('Handle (optional)').fill(who.handle)
}

/** A small PNG (a colour gradient with a circle), for an avatar upload. */
function png (size = 96): Buffer {
  const rows: Buffer[] = []
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 3)
    for (let x = 0; x < size; x++) {
      const inside = (x - size / 2) ** 2 + (y - size / 2) ** 2 < (size / 3) ** 2
      row.set(inside ? [250, 200, 60] : [40 + x, 90 + y, 200], 1 + x * 3)
    }
    rows.push(row)
  }
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    return c >>> 0
  })
  const crc = (buf: Buffer) => {
    let c = 0xffffffff
    for (const b of buf) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8)
    return (c ^ 0xffffffff) >>> 0
  }
  const chunk = (type: string, data: Buffer) => {
    const head = Buffer.alloc(8)
    head.writeUInt32BE(data.length, 0)
    head.write(type, 4, 'ascii')
    const tail = Buffer.alloc(4)
    tail.writeUInt32BE(crc(Buffer.concat([head.subarray(4), data])), 0)
    return Buffer.concat([head, data, tail])
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(size, 0)
  ihdr.writeUInt32BE(size, 4)
  ihdr.set([8, 2, 0, 0, 0], 8)
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', Buffer.alloc(0))])
}

t.test('a brand-new person opens an invite link, creates an account on the offered screen and lands in the room', async (t) => {
  const host = await person(browser, false)
  const newcomer = await person(browser, true)
  t.teardown(async () => { await host.context.close(); await newcomer.context.close() })

  // Someone already has the handle the newcomer will want.
  const taken = await fetch(`${base}/api/v1/auth/sign-up`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'olga.k@example.com', password: PASSWORD, displayName: 'Olga K', handle: 'olga' })
  })
  t.equal(taken.status, 201)

  await host.page.goto(`${base}/`)
  await devSignIn(host.page, 'Ann')
  await host.page.getByRole('button', { name: 'Watch Sintel together' }).click()
  await host.page.getByRole('dialog').getByRole('button', { name: 'Create room', exact: true }).click()
  await host.page.waitForURL(/\/rooms\/[0-9a-f-]{36}$/)
  await host.page.locator('#connection-state[data-state="open"]').waitFor()
  const invite = await host.page.locator('#invite-link').inputValue()

  // The link → room-api's preview → the sign-in page, which offers both ways in.
  const page = newcomer.page
  await page.goto(invite)
  await page.waitForURL(/\/sign-in\?next=/)
  await page.getByRole('heading', { name: 'Sign in or create an account to join the watch party' }).waitFor()
  await page.getByRole('heading', { name: 'Or use Telegram' }).waitFor()
  await page.getByRole('button', { name: `Log in with Telegram (${BOT_NAME})` }).waitFor()

  // Mistakes are said next to their fields, in words, before anything is sent.
  await fillSignUp(page, { name: 'Olga', email: 'olga@example', password: 'short', handle: 'olga' })
  await page.getByRole('button', { name: 'Create account', exact: true }).click()
  await page.locator('#sign-up-email-error', { hasText: 'does not look like an email address' }).waitFor()
  await page.locator('#sign-up-password-error', { hasText: 'at least 10 characters for your password (this one has 5)' }).waitFor()
  const signUp = page.getByRole('form', { name: 'Create an account' })
  t.equal(await signUp.getByLabel('Email').getAttribute('aria-invalid'), 'true', 'the field is marked invalid')
  t.equal(await page.evaluate(() => document.activeElement?.id), 'sign-up-email', 'focus on the first wrong field')
  await page.screenshot({ path: join(ARTIFACTS, 'sign-up-mistakes-phone.png'), fullPage: true })

  // A taken handle: room-api's suggestion is one click away, and that click creates the account.
  await signUp.getByLabel('Email').fill('olga@example.com')
  await signUp.getByLabel('Password', { exact: true }).fill(PASSWORD)
  await page.getByRole('button', { name: 'Create account', exact: true }).click()
  await page.locator('#sign-up-handle-error', { hasText: '@olga is already taken.' }).waitFor()
  await page.screenshot({ path: join(ARTIFACTS, 'sign-up-handle-taken-phone.png'), fullPage: true })
  await page.getByRole('button', { name: /^Use @olga_?\w*$/ }).click()

  // Straight into the room.
  await page.waitForURL(/\/rooms\/[0-9a-f-]{36}$/)
  t.equal(new URL(page.url()).pathname, new URL(host.page.url()).pathname, 'in the host\'s room')
  await page.locator('#connection-state[data-state="open"]').waitFor()
  await host.page.locator('#members .member', { hasText: 'Olga' }).locator('.badge.online').waitFor({ state: 'attached' })
  t.equal(await page.evaluate(() => localStorage.getItem('wt.session')), null, 'no token in localStorage: an account session lives in memory')
  t.match(await page.evaluate(() => document.cookie), /wt_csrf=/, 'the CSRF cookie is readable; the refresh cookie is not')
  t.notMatch(await page.evaluate(() => document.cookie), /wt_refresh/)

  // A reload keeps her signed in (a refresh with the cookie) and in the room.
  await page.reload()
  await page.locator('#connection-state[data-state="open"]').waitFor()
  await page.locator('.site-header .me', { hasText: 'Olga' }).waitFor({ state: 'attached' }) // a phone's room hides the top bar (the video and chat need the height)
  await page.screenshot({ path: join(ARTIFACTS, 'room-newcomer-phone.png'), fullPage: true })
  // The browser logs every refused request; the taken handle's 409 is one the page answered in words.
  t.same([...host.problems, ...newcomer.problems.filter((m) => !/status of 409/.test(m))], [], 'no console errors (but the taken handle)')
})

t.test('friends by handle, a shared film, "Watch together", and a live invitation', async (t) => {
  const vasily = await person(browser, false)
  const petr = await person(browser, true)
  t.teardown(async () => { await vasily.context.close(); await petr.context.close() })
  const [v, p] = [vasily.page, petr.page]

  // Both sign up from the start page (no invite): afterwards, the films.
  for (const [page, who] of [[v, { name: 'Vasily', email: 'vasily@example.com', handle: 'vasily' }], [p, { name: 'Petr', email: 'petr@example.com', handle: 'petr' }]] as const) {
    await page.goto(`${base}/`)
    await page.waitForURL(/\/sign-in\?next=/)
    await page.getByRole('heading', { name: 'Sign in to Watch Together' }).waitFor()
    if (page === v) await page.screenshot({ path: join(ARTIFACTS, 'sign-in-desktop.png'), fullPage: true })
    await fillSignUp(page, who)
    if (page === v) await page.screenshot({ path: join(ARTIFACTS, 'sign-up-desktop.png'), fullPage: true })
    await page.getByRole('button', { name: 'Create account', exact: true }).click()
    await page.getByRole('heading', { name: 'Films' }).waitFor()
    const want = page.getByRole('button', { name: 'Want to watch Sintel' })
    await want.click()
    await waitFor('wants Sintel', async () => (await want.getAttribute('aria-pressed')) === 'true')
  }

  // Petr gives himself a picture: a file too large is refused before any upload, a PNG is taken.
  await nav(p, 'Films').waitFor()
  await p.locator('.site-header .me').click()
  await p.getByRole('heading', { name: 'Your profile' }).waitFor()
  await p.locator('#avatar-file').setInputFiles({ name: 'huge.png', mimeType: 'image/png', buffer: Buffer.alloc(700 * 1024, 1) })
  await p.locator('#avatar-error', { hasText: 'That picture is 700 KB: the largest is 512 KB.' }).waitFor()
  await p.locator('#avatar-file').setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: png() })
  await p.getByRole('button', { name: 'Remove picture' }).waitFor()
  await waitFor('the upload shows', () => p.locator('.profile-picture img.avatar').evaluate((img) =>
    (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth === 96 && /\?v=1$/.test((img as HTMLImageElement).src)))
  await p.screenshot({ path: join(ARTIFACTS, 'profile-phone.png'), fullPage: true })

  // Petr waits on his friends page; Vasily finds him by handle and asks.
  await nav(p, 'Friends').click()
  await p.locator('#incoming-requests .empty').waitFor()
  await nav(v, 'Friends').click()
  await v.getByLabel('Search by handle or name').fill('@pet')
  const found = v.locator('#people-results .person', { hasText: '@petr' })
  await found.waitFor()
  t.equal(await found.locator('.person-name').textContent(), 'Petr')
  t.match(await found.locator('img.avatar').getAttribute('src'), /\/api\/v1\/users\/[^/]+\/avatar\?v=1$/, 'with his picture')
  await found.getByRole('button', { name: 'Add friend Petr' }).click()
  await v.locator('#outgoing-requests .person', { hasText: 'Petr' }).waitFor()
  await found.getByText('Request sent').waitFor()
  await v.screenshot({ path: join(ARTIFACTS, 'friends-request-sent-desktop.png'), fullPage: true })

  // Petr's page shows the request by itself (friends.changed) and he accepts; Vasily's follows.
  await p.locator('#incoming-requests .person', { hasText: 'Vasily' }).waitFor()
  await p.screenshot({ path: join(ARTIFACTS, 'friends-request-phone.png'), fullPage: true })
  await p.getByRole('button', { name: 'Accept Vasily’s friend request' }).click()
  await p.locator('#friends-list .person', { hasText: 'Vasily' }).waitFor()
  await v.locator('#friends-list .person', { hasText: 'Petr' }).waitFor()
  await v.locator('#outgoing-requests .empty').waitFor()
  await v.screenshot({ path: join(ARTIFACTS, 'friends-desktop.png'), fullPage: true })

  // Two tabs of Vasily's reload at once: each needs a new access token, one refresh at a time
  // (a refresh token presented twice would revoke the session), so both stay signed in.
  const second = await vasily.context.newPage()
  const secondProblems = watchConsole(second, 'desktop (second tab)')
  await second.goto(`${base}/`)
  await second.getByRole('heading', { name: 'Films' }).waitFor()
  await Promise.all([v.goto(`${base}/`), second.reload()])
  for (const tab of [v, second]) await tab.getByRole('heading', { name: 'Films' }).waitFor()
  await second.reload()
  await second.getByRole('heading', { name: 'Films' }).waitFor()
  await second.locator('.film').first().waitFor()
  t.equal(new URL(second.url()).pathname, '/', 'the second tab is still signed in')
  await second.close()

  // The match names Petr, with his picture; "Watch together" starts the room and invites him.
  await nav(v, 'Matches').click()
  const match = v.locator('#matches .match', { hasText: 'Sintel' })
  await match.waitFor()
  t.equal(await match.locator('.match-who').textContent(), 'Petr wants to watch it too.')
  await waitFor('Petr\'s picture on the match', () => match.locator('.chip img.avatar').evaluate((img) =>
    (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth === 96))
  await v.screenshot({ path: join(ARTIFACTS, 'matches-desktop.png'), fullPage: true })

  // Petr is looking at the films when the invitation comes.
  await nav(p, 'Films').click()
  await p.getByRole('heading', { name: 'Films' }).waitFor()
  await match.getByRole('button', { name: 'Watch Sintel together with Petr' }).click()
  await v.waitForURL(/\/rooms\/[0-9a-f-]{36}$/)
  await v.locator('#room-notice', { hasText: 'Invited Petr: they get a notice to join you.' }).waitFor()
  await v.locator('#connection-state[data-state="open"]').waitFor()

  const toast = p.locator('#toasts .toast', { hasText: 'Vasily invites you to watch Sintel' })
  await toast.waitFor()
  await p.screenshot({ path: join(ARTIFACTS, 'invitation-toast-phone.png') })
  await toast.getByRole('button', { name: 'Join' }).click()
  await p.waitForURL(/\/rooms\/[0-9a-f-]{36}$/)
  t.equal(new URL(p.url()).pathname, new URL(v.url()).pathname, 'Petr joined Vasily\'s room')
  await p.locator('#connection-state[data-state="open"]').waitFor()
  for (const page of [v, p]) await page.locator('#members .member', { hasText: 'Petr' }).locator('.badge.online').waitFor({ state: 'attached' })
  t.equal(await p.locator('#toasts .toast').count(), 0, 'the toast is gone')
  await v.screenshot({ path: join(ARTIFACTS, 'room-together-desktop.png'), fullPage: true })

  // Vasily removes Petr (two steps), asks again and withdraws it, blocks him, unblocks him.
  await nav(v, 'Friends').click()
  await v.getByRole('button', { name: 'Remove Petr from friends' }).click()
  await v.getByRole('button', { name: 'Yes, remove Petr' }).click()
  await v.getByText('Petr is no longer your friend.').waitFor()
  await v.locator('#friends-list .person').waitFor({ state: 'detached' })
  await v.getByLabel('Search by handle or name').fill('petr')
  await v.getByRole('button', { name: 'Add friend Petr' }).click()
  await v.getByRole('button', { name: 'Cancel request to Petr' }).first().click()
  await v.locator('#outgoing-requests .empty').waitFor()
  await v.getByRole('button', { name: 'Add friend Petr' }).waitFor()
  // The pushed friends.changed of the withdrawal re-renders the results, which can reset a half-done
  // two-step action: start it again until the second step is on screen.
  await waitFor('Petr blocked', async () => {
    if (await v.locator('#blocked-list .person', { hasText: 'Petr' }).count() > 0) return true
    await v.getByRole('button', { name: 'Block Petr' }).first().click({ timeout: 3000 }).catch(() => {})
    await v.getByRole('button', { name: 'Yes, block Petr' }).first().click({ timeout: 3000 }).catch(() => {})
    return false
  }, 40_000, 300)
  await v.locator('#blocked-list .person', { hasText: 'Petr' }).waitFor()
  await v.screenshot({ path: join(ARTIFACTS, 'friends-blocked-desktop.png'), fullPage: true })
  await v.getByRole('button', { name: 'Unblock Petr' }).first().click()
  await v.locator('#blocked-list .person').waitFor({ state: 'detached' })
  await v.getByRole('button', { name: 'Add friend Petr' }).waitFor()

  // Petr signs out everywhere; a wrong password twice then locks the account for a while, said in words.
  // (In a room a phone shows no top bar: the room's back arrow leads to it.)
  if (await p.locator('.room-layout').count() > 0) await p.locator('.back-home').click()
  await p.locator('.site-header .me').click()
  await p.getByRole('button', { name: 'Sign out everywhere' }).click()
  await p.waitForURL(/\/sign-in$/)
  await p.getByText('You signed out on every device.').waitFor()
  await p.goto(`${base}/`)
  await p.waitForURL(/\/sign-in\?next=/)
  const signIn = p.getByRole('form', { name: 'Sign in' })
  await signIn.getByLabel('Email').fill('petr@example.com')
  const password = signIn.getByLabel('Password', { exact: true })
  await password.fill('not my password')
  await p.getByRole('button', { name: 'Sign in', exact: true }).click()
  await p.getByText('That email and password do not match an account.').waitFor()
  const locked = await waitFor('locked', async () => {
    await password.fill('still not my password')
    await p.getByRole('button', { name: 'Sign in', exact: true }).click()
    await p.locator('#sign-in-form .error').filter({ hasText: /./ }).waitFor()
    const text = await p.locator('#sign-in-form .error').textContent()
    return text?.includes('paused for safety') ? text : undefined
  })
  t.equal(locked, 'Too many failed attempts to sign in to this account, so it is paused for safety. Please try again in about 15 minutes.')
  await p.screenshot({ path: join(ARTIFACTS, 'sign-in-locked-phone.png'), fullPage: true })

  t.same([...vasily.problems, ...secondProblems, ...petr.problems.filter((m) => !/status of 40[13]|status of 429/.test(m))], [], 'no console errors (but the refused sign-ins)')
})

t.test('sign in with Telegram (the widget stubbed, the payload signed as Telegram signs it)', async (t) => {
  const tg = await person(browser, false)
  t.teardown(() => tg.context.close())
  const user: Record<string, string | number> = { id: 777000111, first_name: 'Ivan', last_name: 'Telegramov', username: 'ivan_tg', auth_date: Math.floor(Date.now() / 1000) }
  const check = Object.keys(user).sort().map((k) => `${k}=${user[k]}`).join('\n')
  user.hash = createHmac('sha256', createHash('sha256').update(BOT_TOKEN).digest()).update(check).digest('hex')

  await tg.page.goto(`${base}/`)
  await tg.page.waitForURL(/\/sign-in\?next=/)
  await tg.page.evaluate((u) => { (window as { __telegramUser?: unknown }).__telegramUser = u }, user)
  await tg.page.getByRole('button', { name: `Log in with Telegram (${BOT_NAME})` }).click()
  await tg.page.getByRole('heading', { name: 'Films' }).waitFor()
  await tg.page.locator('.site-header .me', { hasText: 'Ivan Telegramov' }).waitFor()
  t.equal(new URL(tg.page.url()).pathname, '/')
  t.same(tg.problems, [], 'no console errors')
})
