// The SDK keeping real <video> elements in sync (a measurement script, not a test): Debian's
// Chromium via playwright-core, K pages in one room against the real realtime service (started
// in-process), a Node member issuing commands. Each page samples its video's currentTime against
// the room's ideal position every 50 ms. The pages load the SDK's own dist files through an import
// map (no bundler), and the demo films of packages/web (build it first: pnpm --filter @watch-together/web build).
// With --hls the pages play an HLS stream (fMP4, 2 s segments, a 3-rendition ladder packaged by
// packages/media from a generated 640×360 test film, cached) through hls.js, and switch rendition
// every ~5 s; the driver's random seeks cross segment boundaries.
// Usage: pnpm --filter @watch-together/client browser-sync [--seconds 60] [--pages 2] [--seed 1] [--hls]
import { existsSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { randomUUID } from 'node:crypto'
import { chromium } from 'playwright-core'
import { WebSocket } from 'ws'
import { startApp, testConfig, ticket } from '../../../services/realtime/test/helpers.js'
import { RoomClient, type WebSocketConstructor } from '../src/index.js'
import { serveStatic } from './browser-page.js'
import { hlsStream } from './hls-stream.js'
import { percentile, seeded, uniform } from './stats.js'

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: { seconds: { type: 'string', default: '60' }, pages: { type: 'string', default: '2' }, seed: { type: 'string', default: '1' }, hls: { type: 'boolean', default: false } }
})
const CHROMIUM = '/usr/bin/chromium'
if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM} (apt-get install -y chromium)`)
const random = seeded(Number(args.seed))
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const teardowns: Array<() => unknown> = []
const { base } = await startApp({ teardown: (fn) => teardowns.push(fn) }, testConfig({ LOG_LEVEL: 'error' }), { consumeLifecycle: false })
const site = await serveStatic(args.hls ? { hlsDir: await hlsStream() } : {})
teardowns.push(() => site.close())
const browser = await chromium.launch({
  executablePath: CHROMIUM,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--autoplay-policy=no-user-gesture-required', '--disable-background-timer-throttling']
})
teardowns.push(() => browser.close())

const roomId = randomUUID()
const observer = new RoomClient({ url: base, roomId, ticket: () => ticket(roomId, { userId: 'driver' }), WebSocket: WebSocket as unknown as WebSocketConstructor })
await observer.connect()
await observer.replaceQueue(['sintel'])

const pages = []
for (let i = 0; i < Number(args.pages); i++) {
  const page = await (await browser.newContext()).newPage()
  page.on('pageerror', (err) => process.stderr.write(`page ${i}: ${err.message}\n`))
  await page.goto(`${site.url}/`)
  await page.evaluate(async (opts) => await (globalThis as unknown as { startSync: (o: unknown) => Promise<void> }).startSync(opts),
    { url: base, roomId, ticket: await ticket(roomId, { userId: `page-${i}` }) })
  pages.push(page)
}

// Commands, as a member would make them: play, then at random (every ~4 s) seek, pause, play.
const commands: number[] = []
const command = async (send: () => Promise<unknown>) => { commands.push(Date.now()); await send().catch(() => {}) }
await sleep(1000)
await command(() => observer.play(300))
const endAt = Date.now() + Number(args.seconds) * 1000
while (Date.now() < endAt) {
  await sleep(Math.min(endAt - Date.now(), -Math.log(1 - random()) * 4000))
  if (Date.now() >= endAt) break
  const state = observer.state!
  const roll = random()
  if (!state.playing) await command(() => observer.play(300))
  else if (roll < 0.25) await command(() => observer.pause())
  else await command(() => observer.seek(uniform(random, 0, 45_000), 250))
  // The 60 s film must not end: back to its start when it nears the end.
  if (observer.position()! > 50_000) await command(() => observer.seek(uniform(random, 0, 10_000), 250))
}

interface Sample { at: number, error: number, playing: boolean }
interface PageResult { samples: Sample[], stats: Record<string, number>, leads: Record<string, number> }
const results: PageResult[] = []
for (const page of pages) results.push(await page.evaluate(() => (globalThis as unknown as { result: () => PageResult }).result()))
observer.close()
for (const fn of teardowns.reverse()) await fn()

// Same definitions as the simulated harness (bench/summary.ts), per page.
const settled: number[] = []
const converge: number[] = []
let notConverged = 0
const lastBefore = (t: number) => commands.filter((c) => c <= t).at(-1) ?? -Infinity
for (const r of results) {
  for (const s of r.samples) if (s.playing && s.at - lastBefore(s.at) >= 1000) settled.push(Math.abs(s.error))
  for (const [i, c] of commands.entries()) {
    const next = commands[i + 1] ?? Infinity
    if (next - c < 2000) continue
    const window = r.samples.filter((s) => s.at >= c && s.at < next)
    if (window.length === 0) continue
    let lastBad = -1
    for (const [j, s] of window.entries()) if (Math.abs(s.error) > 20) lastBad = j
    if (lastBad === window.length - 1) { notConverged++; continue }
    converge.push(lastBad < 0 ? 0 : window[lastBad]!.at + 50 - c)
  }
}
const minutes = results.length * Number(args.seconds) / 60
const sum = (key: string) => results.reduce((a, r) => a + (r.stats[key] ?? 0), 0)
const f = (v: number) => Number.isNaN(v) ? '–' : v.toFixed(1)
console.log(`Chromium ${browser.version()}, ${args.hls ? 'HLS (hls.js, 2 s fMP4 segments, rendition switch every ~5 s)' : 'progressive WebM'}, ${results.length} pages, ${args.seconds} s, ${commands.length} commands`)
console.log(`settled |error| (${settled.length} samples): p50 ${f(percentile(settled, 50))} p95 ${f(percentile(settled, 95))} ` +
  `p99 ${f(percentile(settled, 99))} max ${f(settled.length ? Math.max(...settled) : NaN)} ms`)
console.log(`convergence (${converge.length} page-commands, ${notConverged} not converged): p50 ${f(percentile(converge, 50) / 1000)} ` +
  `p95 ${f(percentile(converge, 95) / 1000)} max ${f(converge.length ? Math.max(...converge) / 1000 : NaN)} s`)
console.log(`per page-minute: corrective seeks ${(sum('correctiveSeeks') / minutes).toFixed(2)}, follow seeks ${(sum('followSeeks') / minutes).toFixed(2)}, ` +
  `rate changes ${(sum('rateChanges') / minutes).toFixed(2)}; seeks inside the dead zone ${sum('seeksInsideDeadZone')}`)
for (const [i, r] of results.entries()) console.log(`page ${i}: learned ${JSON.stringify(r.leads)} stats ${JSON.stringify(r.stats)}`)
