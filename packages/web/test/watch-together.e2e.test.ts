// End to end in headless Chromium against the whole stack: two browser contexts are two users,
// from the invite link to the closed room. Screenshots go to packages/web/test-artifacts/.
import { join } from 'node:path'
import { waitFor } from '@watch-together/test-kit'
import type { Page } from 'playwright-core'
import t from 'tap'
import { ARTIFACTS, devSignIn, launchBrowser, seekTo, tool, watchConsole } from './helpers/browser.js'
import { startStack } from './helpers/stack.js'

// Real browsers on a shared 2-core machine: a whole user story can outlast tap's default 120 s under load.
t.setTimeout(300_000)

const XSS = '<img src=x onerror="window.__xss=1">'

const video = (page: Page) => page.evaluate(() => {
  const v = document.querySelector('video')!
  return { time: v.currentTime, paused: v.paused, ready: v.readyState }
})
const chatTexts = (page: Page) => page.locator('#chat-messages .text').allTextContents()

const signIn = devSignIn

t.test('two users watch together in real browsers', async (t) => {
  const { base } = await startStack(t)
  const browser = await launchBrowser(t)
  const hostContext = await browser.newContext({ viewport: { width: 1280, height: 860 } })
  const guestContext = await browser.newContext({ viewport: { width: 412, height: 915 }, isMobile: true, hasTouch: true })
  // Lock and close travel room-api → Kafka → realtime: allow for a busy machine (the whole suite runs in parallel).
  for (const context of [hostContext, guestContext]) context.setDefaultTimeout(45_000)
  await hostContext.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base })
  const host = await hostContext.newPage()
  const guest = await guestContext.newPage()
  const problems = [...watchConsole(host, 'host'), ...watchConsole(guest, 'guest')]

  // The host signs in, sees the catalog, creates a room and copies the invite link.
  await host.goto(`${base}/`)
  await host.getByLabel('Name (development only)').waitFor()
  t.equal(await host.locator('#telegram-sign-in, script[src*="telegram.org"]').count(), 0, 'no Telegram button: this room-api has no bot')
  await host.getByRole('form', { name: 'Sign in' }).waitFor()
  await signIn(host, 'Vasily')
  await host.getByRole('heading', { name: 'Films' }).waitFor()
  await host.locator('.film img.poster').first().waitFor()
  await waitFor('posters loaded', () => host.locator('.film img.poster').evaluateAll((imgs) =>
    imgs.every((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0)))
  const want = host.getByRole('button', { name: 'Want to watch Sintel' })
  await want.click()
  await waitFor('want to watch toggled', async () => (await want.getAttribute('aria-pressed')) === 'true')
  await host.screenshot({ path: join(ARTIFACTS, 'catalog.png'), fullPage: true })
  await host.getByRole('button', { name: 'Watch Sintel together' }).click()
  // The create dialog: no name typed, so the room gets a generated id.
  await host.getByRole('dialog').getByRole('button', { name: 'Create room', exact: true }).click()
  await host.waitForURL(/\/rooms\/[0-9a-f-]{36}$/)
  await host.locator('#connection-state[data-state="open"]').waitFor()
  await tool(host, 'invite')
  await host.getByRole('button', { name: 'Copy invite link' }).click()
  await host.getByText('Link copied.').waitFor()
  const invite = await host.evaluate(() => navigator.clipboard.readText())
  t.match(invite, new RegExp(`^${base}/r/[0-9A-Za-z]{12}$`), 'the copied invite link')
  const telegram = await host.locator('#share-telegram').getAttribute('href')
  t.equal(telegram?.startsWith(`https://t.me/share/url?url=${encodeURIComponent(invite)}`), true, 'Telegram share link')
  await tool(host, null)

  // The guest opens the link: room-api's preview page → sign in → the room.
  await guest.goto(invite)
  await signIn(guest, 'Petr')
  await guest.waitForURL(/\/rooms\/[0-9a-f-]{36}$/)
  t.equal(new URL(guest.url()).pathname, new URL(host.url()).pathname, 'the guest landed in the host\'s room')
  await guest.locator('#connection-state[data-state="open"]').waitFor()
  for (const page of [host, guest]) {
    await page.locator('#members .member', { hasText: 'Petr' }).locator('.badge.online').waitFor({ state: 'attached' })
    await page.locator('#members .member', { hasText: 'Vasily' }).locator('.badge.host').waitFor({ state: 'attached' })
  }

  // Chat both ways, then the history after a reload.
  await host.getByLabel('Message', { exact: true }).fill('Hello Petr, ready?')
  await host.getByLabel('Message', { exact: true }).press('Enter')
  await guest.locator('#chat-messages .text', { hasText: 'Hello Petr, ready?' }).waitFor()
  await guest.getByLabel('Message', { exact: true }).fill('Yes, Vasily!')
  await host.locator('#typing', { hasText: 'Petr is typing…' }).waitFor()
  await guest.getByRole('button', { name: 'Send' }).click()
  await host.locator('#chat-messages .text', { hasText: 'Yes, Vasily!' }).waitFor()
  await host.locator('#typing:empty').waitFor({ state: 'attached' })
  await host.locator('#chat-messages .message', { hasText: 'Yes, Vasily!' }).getByRole('button', { name: 'React 👍' }).click()
  await guest.locator('#chat-messages .message', { hasText: 'Yes, Vasily!' }).getByRole('button', { name: 'React 👍 (1)' }).waitFor()
  await guest.reload()
  await guest.locator('#connection-state[data-state="open"]').waitFor()
  await guest.locator('#chat-messages .text', { hasText: 'Yes, Vasily!' }).waitFor()
  t.same(await chatTexts(guest), ['Hello Petr, ready?', 'Yes, Vasily!'], 'history after a reload, in order')

  // Both videos load the film; the host starts it, the guest follows.
  for (const page of [host, guest]) await waitFor('video ready', async () => (await video(page)).ready >= 2, 20_000)
  await host.getByRole('button', { name: 'Play' }).click()
  await waitFor('guest playing', async () => !(await video(guest)).paused)
  await waitFor('host playing', async () => !(await video(host)).paused)

  // A pause by the guest pauses the host.
  await guest.getByRole('button', { name: 'Pause' }).click()
  await waitFor('host paused', async () => (await video(host)).paused)
  await waitFor('guest paused', async () => (await video(guest)).paused)

  // A seek by the host moves the guest's video to within 250 ms.
  await seekTo(host, 30)
  const landed = await waitFor('guest seeked', async () => {
    const v = await video(guest)
    return Math.abs(v.time - 30) <= 0.25 ? v.time : undefined
  })
  t.ok(Math.abs(landed - 30) <= 0.25, `guest at ${landed.toFixed(3)} s after the host's seek to 30 s`)
  t.ok(Math.abs((await video(host)).time - 30) <= 0.25, 'host there too')
  // The → shortcut seeks 5 s for the room.
  await host.locator('body').press('ArrowRight')
  await waitFor('guest at 35 s', async () => Math.abs((await video(guest)).time - 35) <= 0.25)

  // Play (by the guest, with the space key) resumes both.
  await guest.locator('#room-video').click({ trial: true })
  await guest.locator('body').press('Space')
  await waitFor('host playing again', async () => !(await video(host)).paused)
  await waitFor('guest playing again', async () => !(await video(guest)).paused)
  await waitFor('guest measures its offset', () => guest.locator('#sync-offset').getAttribute('data-offset-ms').then((v) => v ?? undefined))

  // The host locks the controls: the guest's pause is refused, visibly, and nothing stops.
  await tool(host, 'people')
  await host.getByRole('button', { name: '🔓 Lock controls' }).click()
  await guest.locator('main[data-control-mode="host_only"]').waitFor()
  await guest.locator('#locked-note', { hasText: 'Controls locked by the host' }).waitFor()
  await guest.getByRole('button', { name: 'Pause' }).click()
  await guest.locator('#room-notice', { hasText: 'locked the controls' }).waitFor()
  t.equal((await video(host)).paused, false, 'the host still plays')
  await waitFor('guest still plays', async () => !(await video(guest)).paused)

  // Markup in chat is shown as text and runs nothing.
  await guest.getByLabel('Message', { exact: true }).fill(XSS)
  await guest.getByLabel('Message', { exact: true }).press('Enter')
  for (const page of [host, guest]) {
    await page.locator('#chat-messages .text', { hasText: 'onerror' }).waitFor()
    t.equal((await chatTexts(page)).at(-1), XSS, 'shown exactly as typed')
    t.equal(await page.locator('#chat-messages img').count(), 0, 'no element made from it')
    t.equal(await page.evaluate(() => (window as { __xss?: unknown }).__xss), undefined, 'window.__xss unset')
  }
  await host.screenshot({ path: join(ARTIFACTS, 'room-host.png'), fullPage: true })
  await guest.screenshot({ path: join(ARTIFACTS, 'room-guest.png'), fullPage: true })

  // Next film: the host (allowed while locked) moves the room on; the guest's video follows.
  const src = (page: Page) => page.locator('#room-video').evaluate((v) => (v as HTMLVideoElement).currentSrc)
  t.match(await src(guest), /\/media\/sintel\.webm$/)
  await host.getByRole('button', { name: 'Next film' }).click()
  await waitFor('guest on the next film', async () => !(await src(guest)).endsWith('/media/sintel.webm'))
  t.equal(await src(guest), await src(host), 'both on the same film')

  // The host closes the room: the guest sees the closed screen with the chat still readable.
  await tool(host, 'people')
  await host.getByRole('button', { name: 'Close room…' }).click()
  await host.getByRole('button', { name: 'Yes, close it for everyone' }).click()
  await guest.locator('#room-closed').waitFor()
  await guest.getByRole('heading', { name: 'This room is closed' }).waitFor()
  t.same(await guest.locator('#closed-history .text').allTextContents(), ['Hello Petr, ready?', 'Yes, Vasily!', XSS], 'history readable')
  await host.locator('#room-closed').waitFor()
  await guest.screenshot({ path: join(ARTIFACTS, 'room-closed-guest.png'), fullPage: true })

  // Back in the catalog, the guest wants Sintel too and asks the host to be friends; the host accepts: a match.
  await guest.getByRole('link', { name: 'Back to the films' }).click()
  const guestWant = guest.getByRole('button', { name: 'Want to watch Sintel' })
  await guestWant.click()
  await waitFor('guest wants Sintel', async () => (await guestWant.getAttribute('aria-pressed')) === 'true')
  await guest.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Friends' }).click()
  await guest.getByLabel('Search by handle or name').fill('Vasily')
  await guest.getByRole('button', { name: 'Add friend Vasily' }).click()
  await guest.locator('#outgoing-requests .person', { hasText: 'Vasily' }).waitFor()
  await host.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Friends' }).click()
  await host.getByRole('button', { name: 'Accept Petr’s friend request' }).click()
  await host.locator('#friends-list .person', { hasText: 'Petr' }).waitFor()
  // The guest's page follows by itself (friends.changed on the user channel).
  await guest.locator('#friends-list .person', { hasText: 'Vasily' }).waitFor()
  await guest.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Matches' }).click()
  await guest.locator('#matches .match', { hasText: 'Sintel' }).waitFor()
  t.equal(await guest.locator('#matches .match .match-who').textContent(), 'Vasily wants to watch it too.', 'the match names the friend')
  await guest.screenshot({ path: join(ARTIFACTS, 'catalog-matches-guest.png'), fullPage: true })

  // The host watches another film to its end: the room closes by itself, and says why.
  await host.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Films' }).click()
  await host.getByRole('button', { name: 'Watch Sintel together' }).click()
  // The create dialog: no name typed, so the room gets a generated id.
  await host.getByRole('dialog').getByRole('button', { name: 'Create room', exact: true }).click()
  await host.waitForURL(/\/rooms\/[0-9a-f-]{36}$/)
  await host.locator('#connection-state[data-state="open"]').waitFor()
  await waitFor('video ready', async () => (await video(host)).ready >= 2, 20_000)
  // The slider clamps its value to its max, which follows the video's duration.
  await waitFor('seek bar ready', () => host.locator('#seek').evaluate((el) => Number((el as HTMLInputElement).max) >= 56))
  await seekTo(host, 56)
  await waitFor('host at 56 s', async () => Math.abs((await video(host)).time - 56) <= 0.25)
  await host.getByRole('button', { name: 'Play' }).click()
  // The film's end closes the room through three hops (realtime's outbox → Kafka → room-api, whose
  // outbox → Kafka → realtime): seconds alone, but the whole suite on 2 cores once took over 45 s.
  await host.locator('#room-closed').waitFor({ timeout: 120_000 })
  await host.getByText('The film has ended.').waitFor()
  await host.screenshot({ path: join(ARTIFACTS, 'room-closed-film-ended.png'), fullPage: true })

  t.same(problems, [], 'no console errors on either page')
})
