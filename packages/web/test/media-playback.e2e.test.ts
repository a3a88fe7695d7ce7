// Playing on past the signed URLs' expiry, and seek previews, in headless Chromium against the whole
// stack. room-api signs media URLs for 12 s here (MEDIA_URL_TTL_SECONDS) and the film lasts a
// minute: the player must renew its grant (GET …/playback) before each one runs out and make every
// later request — segments, the subtitles turned on late, the preview sprite — with the new token,
// so nothing is refused and playback never stops. The seek slider shows the frame under the
// pointer (hover) and under the thumb (drag) from the item's sprite and its WebVTT index.
import { join } from 'node:path'
import { waitFor } from '@watch-together/test-kit'
import type { Page } from 'playwright-core'
import t from 'tap'
import { makeFilm } from '../../../services/room-api/test/helpers/media-fixtures.js'
import { ARTIFACTS, createRoom, devSignIn, launchBrowser, watchConsole } from './helpers/browser.js'
import { ingest, mediaLibrary } from './helpers/media.js'
import { startStack } from './helpers/stack.js'

t.setTimeout(600_000)

// Short, so a minute's film outlives three grants; not shorter: the player renews a third of a grant's
// life ahead, and on a loaded machine a page's request can take seconds to go and be answered (with
// 8 s, CI once saw a media request refused beside the whole suite).
const TTL_S = 12
const FILM_S = 60
const library = mediaLibrary(t, { MEDIA_URL_TTL_SECONDS: String(TTL_S) })
const film = makeFilm(join(library.root, 'films'), 'Long.Night.2020', { seconds: FILM_S, title: 'Long Night' })

const video = (page: Page) => page.evaluate(() => {
  const v = document.querySelector('video')!
  const showing = Array.from(v.textTracks).find((tt) => tt.mode === 'showing')
  return { time: v.currentTime, paused: v.paused, ready: v.readyState, cues: showing?.cues?.length ?? null }
})
/** The preview over the slider: the time it shows and the sprite tile it draws (null when hidden). */
const preview = (page: Page) => page.evaluate(() => {
  const box = document.querySelector<HTMLElement>('#seek-preview')
  const frame = box?.querySelector<HTMLElement>('.seek-preview-frame')
  return box ? { time: Number(box.dataset.time), tile: frame?.dataset.tile ?? null, image: frame?.style.backgroundImage ?? null } : null
})
/** The tile packages/media's sprite has for a time: one per second for a minute's film, ten a row, 160×90. */
const tileAt = (seconds: number) => { const i = Math.min(FILM_S - 1, Math.floor(seconds)); return `${(i % 10) * 160},${Math.floor(i / 10) * 90}` }

t.test('a film longer than its signed URLs live plays on; the seek slider previews frames', async (t) => {
  const { base } = await startStack(t, { roomApi: library.roomApi })
  const job = await ingest(base, film)
  t.equal(job.status, 'done', JSON.stringify(job.error))

  const browser = await launchBrowser(t)
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } })
  context.setDefaultTimeout(60_000)
  t.teardown(() => context.close())
  const page = await context.newPage()
  const problems = watchConsole(page, 'viewer')
  // Every media request (its token, what came back, when) and every grant the page was given.
  const media: Array<{ file: string, token: string, status: number, at: number }> = []
  const grants: Array<{ expiresAt: number }> = []
  page.on('response', (res) => {
    const url = new URL(res.url())
    const signed = /^\/media\/v\/([^/]+)\/[^/]+\/[^/]+\/(.+)$/.exec(url.pathname)
    if (signed) media.push({ token: signed[1]!, file: signed[2]!, status: res.status(), at: Date.now() })
    if (/\/api\/v1\/films\/[^/]+\/playback$/.test(url.pathname) && res.ok()) {
      res.json().then((body) => grants.push({ expiresAt: Date.parse(body.playback.expiresAt) }), () => {})
    }
  })

  await page.goto(`${base}/`)
  await devSignIn(page, 'Olga')
  await createRoom(page, 'Long Night')
  await waitFor('video ready', async () => (await video(page)).ready >= 1 || undefined, 60_000)

  // Hover: the frame at the pointer's share of the slider, from the sprite (which loads).
  const seek = page.locator('#seek')
  await waitFor('seek previews loaded', async () => media.some((m) => m.file === 'thumbnails.vtt' && m.status === 200) || undefined, 30_000)
  await seek.hover({ position: { x: (await seek.boundingBox())!.width * 0.5, y: 5 } })
  const hovered = await waitFor('preview on hover', async () => (await preview(page))?.tile ? await preview(page) : undefined, 10_000)
  t.ok(Math.abs(hovered!.time - FILM_S / 2) < FILM_S * 0.1, `hover at the middle previews ~${FILM_S / 2} s (${hovered!.time} s)`)
  t.equal(hovered!.tile, tileAt(hovered!.time), 'the sprite tile of that time')
  t.match(hovered!.image, /\/thumbnails\.jpg/, 'drawn from the sprite')
  await waitFor('sprite loaded', async () => media.some((m) => m.file === 'thumbnails.jpg' && m.status === 200) || undefined, 10_000)
  await page.screenshot({ path: join(ARTIFACTS, 'seek-preview-hover.png') })
  await page.mouse.move(0, 0)
  await waitFor('preview hidden when the pointer leaves', async () => (await preview(page)) === null || undefined, 10_000)

  // Drag: the preview follows the thumb; letting go seeks there.
  const box = (await seek.boundingBox())!
  const y = box.y + box.height / 2
  await page.mouse.move(box.x + box.width * 0.1, y)
  await page.mouse.down()
  await page.mouse.move(box.x + box.width * 0.25, y, { steps: 5 })
  const dragged = (await preview(page))!
  t.ok(Math.abs(dragged.time - FILM_S * 0.25) < FILM_S * 0.1, `dragging to a quarter previews ~${FILM_S * 0.25} s (${dragged.time} s)`)
  t.equal(dragged.tile, tileAt(dragged.time), 'the sprite tile of the dragged-to time')
  await page.screenshot({ path: join(ARTIFACTS, 'seek-preview-drag.png') })
  await page.mouse.up()
  await waitFor('seeked to where the drag ended', async () => Math.abs((await video(page)).time - dragged.time) < 2 || undefined, 30_000)
  await page.mouse.move(0, 0)

  // Play from the start for three grants' lives and more.
  await page.evaluate(() => {
    const input = document.querySelector<HTMLInputElement>('#seek')!
    input.value = '0'
    input.dispatchEvent(new Event('input', { bubbles: true }))
    input.dispatchEvent(new Event('change', { bubbles: true }))
  })
  await page.getByRole('button', { name: 'Play' }).click()
  const firstExpiry = await waitFor('the first grant', async () => grants[0]?.expiresAt, 10_000)
  await waitFor(`played past ${3 * TTL_S} s`, async () => (await video(page)).time >= 3 * TTL_S + 2 || undefined, 180_000)
  // hls.js buffers all of this small film at once, so what it fetches late is what a member picks
  // late: another audio track (its playlist and segments) and subtitles first turned on now, long
  // after the first grant ran out.
  await page.locator('#audio-track').selectOption({ label: 'Русский' })
  await page.locator('#subtitle-track').selectOption({ label: 'English' })
  await waitFor('subtitles loaded', async () => ((await video(page)).cues ?? 0) > 0 || undefined, 30_000)
  await waitFor('the other audio track fetched', async () => media.some((m) => m.file.startsWith('va1/') && m.file.endsWith('.m4s')) || undefined, 30_000)
  await page.getByRole('button', { name: 'Pause' }).click()

  t.ok(grants.length >= 3, `the grant was renewed before each expiry (${grants.length} grants)`)
  const refused = media.filter((m) => m.status >= 400)
  t.same(refused, [], 'no media request was refused')
  const late = media.filter((m) => m.at > firstExpiry && m.file.startsWith('va1/'))
  t.ok(late.some((m) => m.file.endsWith('.m4s')), `the other audio track's playlist and segments were fetched after the first grant expired (${late.length} requests)`)
  t.ok(late.every((m) => m.token !== media[0]!.token), 'with a renewed token')
  t.ok(media.some((m) => m.at > firstExpiry && m.file.endsWith('.vtt') && m.file !== 'thumbnails.vtt' && m.status === 200), 'the subtitles turned on late came with a renewed token')
  t.ok((await video(page)).time >= 3 * TTL_S, 'playback went on')
  t.same(problems, [], 'no console errors')
})
