// What a call of three costs the film (a measurement, not a test): three Chromium pages in one room
// against the whole stack and a real LiveKit, fake camera and microphone. The film plays for
// --seconds without a call, then for --seconds with all three in the call; each page samples its
// sync badge (video time against the room's timeline, every 250 ms) and the CPU of the browsers,
// LiveKit and this process (room-api + realtime in-process) is read from /proc for each phase.
// Usage: pnpm --filter @watch-together/web bench:call [--seconds 20]   (build the web client first)
import { readdirSync, readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import type { Page } from 'playwright-core'
import { devSignIn, FAKE_MEDIA, launchBrowser } from '../test/helpers/browser.js'
import { startStack } from '../test/helpers/stack.js'

const { values: args } = parseArgs({ args: process.argv.slice(2).filter((a) => a !== '--'), options: { seconds: { type: 'string', default: '20' } } })
const SECONDS = Number(args.seconds)
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const teardowns: Array<() => unknown> = []
const t = { teardown: (fn: () => unknown) => { teardowns.push(fn) } }

/** CPU ms so far of this process's descendants, by kind (chromium, livekit, node = this process). */
function cpuByKind (): Record<string, number> {
  const procs = new Map<number, { ppid: number, comm: string, ms: number }>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      procs.set(Number(name), { ppid: Number(fields[1]), comm, ms: (Number(fields[11]) + Number(fields[12])) * 10 })
    } catch { /* gone meanwhile */ }
  }
  const mine = (pid: number): boolean => pid === process.pid || (pid > 1 && procs.has(pid) && mine(procs.get(pid)!.ppid))
  const out: Record<string, number> = { chromium: 0, livekit: 0, node: 0 }
  for (const [pid, p] of procs) {
    if (!mine(pid)) continue
    const kind = pid === process.pid ? 'node' : p.comm.startsWith('livekit') ? 'livekit' : p.comm.includes('chrom') ? 'chromium' : null
    if (kind) out[kind] = (out[kind] ?? 0) + p.ms
  }
  return out
}

const percentile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? NaN

async function phase (pages: Page[], label: string) {
  for (const page of pages) await page.evaluate(() => { (window as unknown as { samples: number[] }).samples = [] })
  const cpu0 = cpuByKind()
  const start = Date.now()
  await sleep(SECONDS * 1000)
  const wall = Date.now() - start
  const cpu1 = cpuByKind()
  const offsets: number[] = []
  for (const page of pages) offsets.push(...await page.evaluate(() => (window as unknown as { samples: number[] }).samples))
  offsets.sort((a, b) => a - b)
  const cores = (kind: string) => ((cpu1[kind] ?? 0) - (cpu0[kind] ?? 0)) / wall
  return { label, n: offsets.length, p50: percentile(offsets, 0.5), p95: percentile(offsets, 0.95), p99: percentile(offsets, 0.99), chromium: cores('chromium'), livekit: cores('livekit'), node: cores('node') }
}

try {
  const { base } = await startStack(t, { livekit: true, roomApi: { LOG_LEVEL: 'error' } })
  const browser = await launchBrowser(t, [...FAKE_MEDIA, '--disable-background-timer-throttling'])
  const pages: Page[] = []
  for (const name of ['Ann', 'Bob', 'Cid']) {
    const page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage()
    page.setDefaultTimeout(60_000)
    pages.push(page)
    if (name === 'Ann') {
      await page.goto(`${base}/`)
      await devSignIn(page, name)
      await page.getByRole('button', { name: 'Watch Sintel together' }).click()
      await page.getByRole('dialog').getByRole('button', { name: 'Create room', exact: true }).click()
      await page.waitForURL(/\/rooms\/[0-9a-f-]{36}$/)
    } else {
      await page.goto(pages[0]!.url())
      await devSignIn(page, name)
      await page.waitForURL(/\/rooms\/[0-9a-f-]{36}$/)
    }
    await page.locator('#connection-state[data-state="open"]').waitFor()
    // Every 250 ms (the badge's own period), the page's offset from the room's timeline, absolute.
    await page.evaluate(() => setInterval(() => {
      const v = document.querySelector<HTMLElement>('#sync-offset')?.dataset.offsetMs
      const w = window as unknown as { samples?: number[] }
      if (v !== undefined && w.samples) w.samples.push(Math.abs(Number(v)))
    }, 250))
  }
  for (const page of pages) await page.waitForFunction(() => (document.querySelector('#room-video') as HTMLVideoElement).readyState >= 2)
  await pages[0]!.getByRole('button', { name: 'Play' }).click()
  await sleep(3000)
  const without = await phase(pages, 'film, no call')
  // The film lasts a minute (its end closes the room): back to the start before the second phase.
  const backToStart = () => pages[0]!.locator('#seek').evaluate((el) => { const i = el as HTMLInputElement; i.value = '1'; i.dispatchEvent(new Event('input', { bubbles: true })); i.dispatchEvent(new Event('change', { bubbles: true })) })
  await backToStart()
  for (const page of pages) {
    await page.getByRole('button', { name: 'Join call' }).click()
    await page.locator('#call[data-state="joined"]').waitFor()
    await page.locator('#call-strip').scrollIntoViewIfNeeded()
  }
  await sleep(4000)
  const withCall = await phase(pages, 'film + call of three (mic + 320×180 camera each)')
  // The same call with every camera off: what the video tiles cost, against what the voices do.
  await backToStart()
  for (const page of pages) await page.getByRole('button', { name: 'Turn camera off' }).click()
  for (const page of pages) await page.getByRole('button', { name: 'Turn camera on' }).waitFor()
  await sleep(3000)
  const micOnly = await phase(pages, 'film + call of three (microphones only)')
  const rows = [without, withCall, micOnly]
  console.log(`\ncall bench, ${new Date().toISOString()}, ${SECONDS} s per phase, 3 Chromium pages (fake media), shared machine\n`)
  console.log('| phase | sync samples | sync error p50 / p95 / p99 ms | CPU cores: Chromium (3 pages) | LiveKit | room-api + realtime |')
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |')
  for (const r of rows) console.log(`| ${r.label} | ${r.n} | ${r.p50} / ${r.p95} / ${r.p99} | ${r.chromium.toFixed(2)} | ${r.livekit.toFixed(2)} | ${r.node.toFixed(2)} |`)
  const added = withCall.chromium + withCall.livekit + withCall.node - (without.chromium + without.livekit + without.node)
  console.log(`\nthe call adds ${added.toFixed(2)} cores (${(added / 3).toFixed(2)} per member); sync p99 ratio with/without: ${(withCall.p99 / Math.max(1, without.p99)).toFixed(2)}`)
} finally {
  for (const fn of teardowns.reverse()) await Promise.resolve(fn()).catch(() => {})
}
