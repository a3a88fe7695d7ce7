// The call beside the film in headless Chromium with fake camera and microphone, against a real
// LiveKit server: three members join, each page receives and decodes the others' audio and video,
// the host mutes one, a removed member's tracks leave the other pages, and the film keeps playing
// in sync throughout. Kept lean for a shared 2-core machine: 320×180 video at 15 fps, one short film.
import { join } from 'node:path'
import type { EventEnvelope } from '@watch-together/protocol'
import { readTopic } from '@watch-together/kafka'
import { stack, waitFor } from '@watch-together/test-kit'
import { RoomServiceClient } from 'livekit-server-sdk'
import type { Page } from 'playwright-core'
import t from 'tap'
import { ARTIFACTS, devSignIn, FAKE_MEDIA, launchBrowser, seekTo, tool, watchConsole } from './helpers/browser.js'
import { startStack } from './helpers/stack.js'

interface Inbound { audioBytes: number, audioSamples: number, videoBytes: number, videoFramesDecoded: number }

const userId = (page: Page) => page.evaluate(() => JSON.parse(localStorage.getItem('wt.session') ?? '{}').user.id as string)
const inbound = (page: Page) => page.evaluate(async () =>
  await (document.querySelector('#call') as HTMLElement & { callPanel: { stats: () => Promise<Record<string, Inbound>> } }).callPanel.stats())
/** Frames the page's <video> elements of other members' cameras have presented (getVideoPlaybackQuality). */
const presentedFrames = (page: Page) => page.evaluate(() => Object.fromEntries(Array.from(document.querySelectorAll<HTMLLIElement>('#call-strip .call-tile:not(.screen)'))
  .map((tile) => [tile.dataset.identity, tile.querySelector('video')?.getVideoPlaybackQuality().totalVideoFrames ?? 0])))
const film = (page: Page) => page.evaluate(() => {
  const v = document.querySelector<HTMLVideoElement>('#room-video')!
  const offset = document.querySelector<HTMLElement>('#sync-offset')?.dataset.offsetMs
  // The room's own state, as the page shows it: the play button reads "Play" only while the room is paused.
  const roomPaused = document.querySelector('#play-pause')?.getAttribute('aria-label') === 'Play'
  return { paused: v.paused, roomPaused, time: v.currentTime, volume: v.volume, offset: offset === undefined ? null : Number(offset) }
})

// Three browsers with live media on a shared 2-core machine: more than the suite's 120 s default.
t.setTimeout(600_000)

t.test('three members talk and see each other beside the film', async (t) => {
  const started = Date.now()
  const step = (what: string) => t.comment(`${((Date.now() - started) / 1000).toFixed(1)} s: ${what}`)
  const { base, topic, livekit } = await startStack(t, { livekit: true })
  const server = new RoomServiceClient(livekit!.url, livekit!.apiKey, livekit!.apiSecret)
  const reader = await readTopic(t, stack.kafkaBrokers, topic)
  const browser = await launchBrowser(t, FAKE_MEDIA)
  const viewports = [{ width: 1280, height: 860 }, { width: 1024, height: 768 }, { width: 412, height: 915 }]
  const contexts = await Promise.all(viewports.map((viewport, i) => browser.newContext({ viewport, ...(i === 2 ? { isMobile: true, hasTouch: true } : {}) })))
  for (const context of contexts) context.setDefaultTimeout(60_000)
  const [ann, bob, cid] = await Promise.all(contexts.map((c) => c.newPage())) as [Page, Page, Page]
  const names = new Map([[ann, 'Ann'], [bob, 'Bob'], [cid, 'Cid']])
  const problems = [...names].flatMap(([page, name]) => watchConsole(page, name))
  // What each page showed when the test ended (a failure's first clue).
  t.teardown(async () => {
    for (const [page, name] of names) await page.screenshot({ path: join(ARTIFACTS, `call-end-${name}.png`), fullPage: true }).catch(() => {})
    if (problems.length) t.comment(problems.join('\n'))
  })

  // Ann creates the room; Bob and Cid open it by its address and sign in.
  await ann.goto(`${base}/`)
  await devSignIn(ann, 'Ann')
  await ann.getByRole('button', { name: 'Watch Sintel together' }).click()
  await ann.getByRole('dialog').getByRole('button', { name: 'Create room', exact: true }).click()
  await ann.waitForURL(/\/rooms\/[0-9a-f-]{36}$/)
  const roomUrl = ann.url()
  const roomId = roomUrl.split('/').at(-1) as string
  for (const page of [bob, cid]) {
    await page.goto(roomUrl)
    await devSignIn(page, names.get(page) as string)
    await page.waitForURL(/\/rooms\/[0-9a-f-]{36}$/)
  }
  for (const page of [ann, bob, cid]) await page.locator('#connection-state[data-state="open"]').waitFor()
  const ids = new Map(await Promise.all([ann, bob, cid].map(async (p) => [p, await userId(p)] as const)))
  const idOf = (page: Page) => ids.get(page) as string

  step('three signed in')
  // The film plays for everyone before anyone joins the call.
  for (const page of [ann, bob, cid]) await waitFor('film loaded', async () => (await page.locator('#room-video').evaluate((v) => (v as HTMLVideoElement).readyState)) >= 2, 30_000)
  await ann.getByRole('button', { name: 'Play' }).click()
  for (const page of [ann, bob, cid]) await waitFor('film playing', async () => !(await film(page)).paused, 30_000)

  // From here on the film's sync is sampled on every page, twice a second, until the end. The demo
  // film lasts a minute and the room closes at its end, so the host takes it back to 1 s well before:
  // when her film passes 30 s, or 30 s after her last seek landed (her own media may lag the room on a
  // loaded machine; in CI the film once reached its end while the host's page read under 40 s). Each
  // page's samples from such a seek until it plays in sync again are left out (convergence after a
  // seek is the sync benches' subject, not the call's).
  const samples: Array<{ who: string, at: number, paused: boolean, roomPaused: boolean, time: number, offset: number | null }> = []
  const seeks: number[] = []
  const gone = new Set<Page>() // removed from the room: its film stops, as it should
  const sampling = { on: true }
  const sampler = (async () => {
    while (sampling.on) {
      for (const [page, who] of names) {
        if (gone.has(page) || page.isClosed() || !page.url().includes('/rooms/')) continue
        const f = await film(page).catch(() => null)
        if (f) samples.push({ who, at: Date.now(), paused: f.paused, roomPaused: f.roomPaused, time: f.time, offset: f.offset })
      }
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
  })()
  // The host's seeks back, on a loop of their own (the sampler's reads of three busy pages can take seconds).
  const keeper = (async () => {
    let landed = Date.now()
    while (sampling.on) {
      const f = await film(ann).catch(() => null)
      const last = seeks.at(-1) ?? 0
      if (f && f.time < 10 && last > landed) landed = Date.now()
      if (f && Date.now() - last > 3_000 && (f.time > 30 || Date.now() - landed > 30_000)) {
        seeks.push(Date.now())
        await seekTo(ann, 1).catch(() => {})
      }
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
  })()
  t.teardown(async () => { sampling.on = false; await Promise.all([sampler, keeper]) })

  step('film playing')
  // Everyone joins with microphone and camera (the defaults).
  for (const page of [ann, bob, cid]) {
    await page.getByRole('button', { name: 'Join call' }).click()
    await page.locator('#call[data-state="joined"]').waitFor()
  }
  await waitFor('three in LiveKit\'s room', async () => (await server.listParticipants(roomId)).length === 3, 60_000)

  step('three in the call')
  // Each page receives the other two's audio and video, and decodes it (inbound-rtp stats, presented frames).
  // LiveKit's adaptive stream sends video only to tiles on screen: each page shows its strip.
  for (const page of [ann, bob, cid]) await page.locator('#call-strip').scrollIntoViewIfNeeded()
  for (const page of [ann, bob, cid]) {
    const others = [ann, bob, cid].filter((p) => p !== page).map(idOf)
    let last: unknown
    t.teardown(() => { if (last) t.comment(`${names.get(page)} last stats: ${JSON.stringify(last)}`) })
    const got = await waitFor(`${names.get(page)} receives both`, async () => {
      const stats = await inbound(page)
      last = stats
      return others.every((id) => (stats[id]?.audioSamples ?? 0) > 0 && (stats[id]?.videoFramesDecoded ?? 0) > 5) ? stats : undefined
      // Generous: in CI beside the whole suite, joining alone took 65 s and the first frames took longer than 60.
    }, 150_000)
    for (const id of others) t.ok((got[id]?.audioBytes ?? 0) > 0 && (got[id]?.videoBytes ?? 0) > 0, `${names.get(page)} gets audio and video bytes from ${id}`)
    // Decoded is not yet shown: a tile presents its first frame when the page's compositor gets to it,
    // which on a 2-core machine beside the whole suite took more than 30 s once.
    let lastShown: unknown
    t.teardown(() => { if (lastShown) t.comment(`${names.get(page)} last presented frames: ${JSON.stringify(lastShown)}`) })
    const frames = await waitFor(`${names.get(page)} shows both`, async () => {
      // In view still (the film's controls and the chat can grow meanwhile); a tile off screen shows nothing.
      await page.locator('#call-strip').scrollIntoViewIfNeeded().catch(() => {})
      const shown = await presentedFrames(page)
      lastShown = shown
      return others.every((id) => (shown[id] ?? 0) > 0) ? shown : undefined
    }, 120_000)
    t.ok(others.every((id) => (frames[id] ?? 0) > 0), `${names.get(page)}'s tiles present frames of both others`)
  }
  await ann.screenshot({ path: join(ARTIFACTS, 'call-three-host.png'), fullPage: true })
  await cid.screenshot({ path: join(ARTIFACTS, 'call-three-phone.png'), fullPage: true })

  step('media flows')
  // The strip never covers the film: no tile overlaps the video's box, on a desktop or a phone.
  for (const page of [ann, cid]) {
    const overlap = await page.evaluate(() => {
      const v = document.querySelector('#room-video')!.getBoundingClientRect()
      return Array.from(document.querySelectorAll('.call-tile')).some((tile) => {
        const r = tile.getBoundingClientRect()
        return r.left < v.right && r.right > v.left && r.top < v.bottom && r.bottom > v.top
      })
    })
    t.equal(overlap, false, `${names.get(page)}: the tiles stay off the film`)
  }
  // On the phone the call sits above the chat.
  t.ok(await cid.evaluate(() => document.querySelector('#call')!.getBoundingClientRect().bottom <= document.querySelector('#chat-messages')!.getBoundingClientRect().top),
    'phone: the call is above the chat')

  step('layout checked')
  // The host mutes Bob's microphone: every page shows it muted, and Bob is told.
  const bobTile = (page: Page) => page.locator(`#call-strip .call-tile[data-identity="${idOf(bob)}"]`)
  await bobTile(ann).getByRole('button', { name: 'Mute' }).click()
  for (const page of [ann, cid]) await bobTile(page).and(page.locator('[data-mic="muted"]')).waitFor()
  await bob.getByRole('button', { name: 'Unmute microphone' }).waitFor()
  await bob.locator('#room-notice', { hasText: 'The host muted your microphone.' }).waitFor()
  t.equal(await bob.locator('#call-strip .call-host-actions:visible').count(), 0, 'a guest has no host controls')
  // Bob turns his microphone back on himself: a member's own mutes are events too (LiveKit's webhooks
  // carry none, so the page reports them and room-api records what LiveKit shows).
  await bob.getByRole('button', { name: 'Unmute microphone' }).click()
  for (const page of [ann, cid]) await bobTile(page).and(page.locator('[data-mic="on"]')).waitFor()

  step('mute seen')
  // The host removes Cid from the room: LiveKit drops Cid, whose tiles and sound leave the other pages.
  const cidTile = (page: Page) => page.locator(`#call-strip .call-tile[data-identity="${idOf(cid)}"]`)
  await tool(ann, 'people') // members and moderation live in the room's tool sheet
  await ann.locator('#members .member', { hasText: 'Cid' }).getByRole('button', { name: 'Manage Cid' }).click()
  gone.add(cid)
  await ann.locator('#members .member', { hasText: 'Cid' }).getByRole('button', { name: 'Remove', exact: true }).click()
  await cid.locator('#room-gone').waitFor()
  for (const page of [ann, bob]) {
    await cidTile(page).waitFor({ state: 'detached' })
    await waitFor('Cid\'s tracks gone', async () => !(idOf(cid) in await inbound(page)), 30_000)
  }
  await waitFor('Cid out of LiveKit\'s room', async () => !(await server.listParticipants(roomId)).some((p) => p.identity === idOf(cid)), 30_000)
  t.same((await server.listParticipants(roomId)).map((p) => p.identity).sort(), [idOf(ann), idOf(bob)].sort(), 'LiveKit keeps Ann and Bob')

  step('Cid gone')
  // Ann and Bob still receive each other after the removal.
  const before = (await inbound(bob))[idOf(ann)]?.videoFramesDecoded ?? 0
  await waitFor('Bob still decodes Ann', async () => ((await inbound(bob))[idOf(ann)]?.videoFramesDecoded ?? 0) > before + 5, 30_000)
  // Ann turns her camera off (a mute of its publication, reported like Bob's).
  await tool(ann, null)
  await ann.getByRole('button', { name: 'Turn camera off' }).click()
  await ann.getByRole('button', { name: 'Turn camera on' }).waitFor()

  // The film played on, in sync, the whole time: the call never paused or moved it.
  sampling.on = false
  await Promise.all([sampler, keeper])
  // After a seek a page is converging until it plays within 1 s of the room again: at least 10 s, at
  // most 30 s (a page still paused or far off after that counts against it). On a loaded machine the
  // seek command and the pages' cues take seconds, so a fixed 10 s window counted a cue's pause.
  const settledAt = (who: string, at: number) => {
    const ok = samples.find((s) => s.who === who && s.at > at + 2_000 && !s.paused && s.offset !== null && Math.abs(s.offset) <= 1_000)
    return Math.min(at + 30_000, Math.max(at + 10_000, ok?.at ?? Infinity))
  }
  const during = samples.filter((s) => !seeks.some((at) => s.at >= at - 600 && s.at <= settledAt(s.who, at)))
  // Nobody's room paused. A page's media may stop for a moment when the sync corrects a drift under load
  // (a cue: pause, seek, start on an instant; CI caught one on the phone page): the offsets below hold every
  // page to "never more than 2 s off", which a media stopped for longer fails.
  // On a failure, the timeline: seconds from the first sample, each seek's time and each paused sample's.
  const t0 = samples[0]?.at ?? started
  const rel = (at: number) => Math.round((at - t0) / 100) / 10
  t.same(during.filter((s) => s.roomPaused).map((s) => ({ ...s, at: rel(s.at) })), [], 'the film never paused on any page', { seeks: seeks.map(rel) })
  const cues = during.filter((s) => s.paused && !s.roomPaused)
  t.comment(`${cues.length} samples caught a page's media between a cue's pause and its start`)
  const offsets = during.flatMap((s) => s.offset === null ? [] : [Math.abs(s.offset)]).sort((a, b) => a - b)
  t.ok(offsets.length >= 20, `${offsets.length} sync samples (${seeks.length} seeks back by the host)`)
  const at = (q: number) => offsets[Math.min(offsets.length - 1, Math.floor(offsets.length * q))] ?? Infinity
  // A busy shared machine stalls a page now and then (a sample read late reads large): the test holds
  // the bulk of the samples to the film's tolerance and every one to "never lost"; the measured p99
  // with a call of three is in docs/benchmarks.md (pnpm --filter @watch-together/web bench:call).
  t.ok(at(0.9) <= 250, `sync offset p90 ${at(0.9)} ms across the three pages during the call`)
  t.ok(at(1) <= 2000, `largest sync offset ${at(1)} ms: the film never drifted away`, { samples: during.filter((s) => Math.abs(s.offset ?? 0) > 2000) })
  t.comment(`sync offset during the call: p50 ${at(0.5)} ms, p90 ${at(0.9)} ms, p99 ${at(0.99)} ms, ${offsets.length} samples`)

  step('sync checked')
  // The call's joins, tracks, the host's mute and Cid's leave are events in Kafka (LiveKit's webhooks through room-api's outbox).
  const call = await waitFor('call events', () => {
    const ev = reader.events.filter((e) => e.roomId === roomId && e.type.startsWith('call.')) as EventEnvelope[]
    const has = (type: string, userId: string) => ev.some((e) => e.type === type && e.userId === userId)
    return [ann, bob, cid].every((p) => has('call.joined', idOf(p)) && has('call.track_published', idOf(p))) &&
      has('call.track_muted', idOf(bob)) && has('call.track_muted', idOf(ann)) && has('call.left', idOf(cid))
      ? ev
      : undefined
  }, 60_000)
  t.match(call.find((e) => e.type === 'call.track_muted'), { userId: idOf(bob), payload: { actorId: idOf(ann), source: 'microphone', muted: true } })
  t.ok(call.some((e) => e.type === 'call.track_muted' && e.userId === idOf(bob) && (e.payload as { actorId: string, muted: boolean }).actorId === idOf(bob) && !(e.payload as { muted: boolean }).muted),
    'Bob unmuting himself is an event, by Bob')
  t.match(call.find((e) => e.type === 'call.track_muted' && e.userId === idOf(ann)), { payload: { actorId: idOf(ann), source: 'camera', muted: true } }, 'Ann turning her camera off is an event, by Ann')
  t.ok(call.some((e) => e.type === 'call.track_published' && (e.payload as { source: string }).source === 'camera'), 'camera tracks published')

  t.same(problems, [], 'no console errors on any page')
})
