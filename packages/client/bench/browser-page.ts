// The page and the files browser-sync.ts serves: the SDK's dist files as they are (an import map
// resolves the bare names: no bundler), zod, and packages/web's demo films with HTTP Range support.
import { createReadStream, existsSync, realpathSync, statSync } from 'node:fs'
import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import { dirname, extname, join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'

const packages = fileURLToPath(new URL('../../', import.meta.url))
const zodDir = dirname(realpathSync(createRequire(join(packages, 'protocol/package.json')).resolve('zod/package.json')))
const hlsDir = dirname(realpathSync(createRequire(join(packages, 'client/package.json')).resolve('hls.js/package.json')))
const ROOTS: Record<string, string> = {
  '/pkg/hls/': join(hlsDir, 'dist'),
  '/pkg/client/': join(packages, 'client/dist'),
  '/pkg/sync-core/': join(packages, 'sync-core/dist'),
  '/pkg/protocol/': join(packages, 'protocol/dist'),
  '/pkg/zod/': zodDir,
  '/media/': join(packages, 'web/dist/media')
}
const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.webm': 'video/webm',
  '.html': 'text/html',
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.m4s': 'video/iso.segment',
  '.mp4': 'video/mp4'
}

const page = (hls: boolean) => `<!doctype html>
<html><head><meta charset="utf-8">
<script type="importmap">${JSON.stringify({
  imports: {
    '@watch-together/client': '/pkg/client/index.js',
    '@watch-together/sync-core': '/pkg/sync-core/index.js',
    '@watch-together/protocol': '/pkg/protocol/index.js',
    zod: '/pkg/zod/index.js'
  }
})}</script></head>
<body><video id="v" muted playsinline preload="auto" ${hls ? '' : 'src="/media/sintel.webm"'} width="320" height="180"></video>
<script type="module">
import { attach, RoomClient } from '@watch-together/client'
${hls ? HLS_SETUP : ''}
import { currentPosition } from '@watch-together/sync-core'
const video = document.getElementById('v')
const samples = []
let sync
window.startSync = async ({ url, roomId, ticket }) => {
  const room = new RoomClient({ url, roomId, ticket })
  await room.connect()
  if (video.readyState < 2) await new Promise((resolve) => video.addEventListener('canplay', resolve, { once: true }))
  sync = attach(room, video)
  // The ideal at the machine's clock (the service runs on the same machine, so this is exact).
  setInterval(() => {
    const state = room.state
    if (!state) return
    const at = performance.timeOrigin + performance.now()
    samples.push({ at, error: video.currentTime * 1000 - currentPosition(state, at, video.duration * 1000), playing: state.playing && at >= state.refAt })
  }, 50)
}
window.result = () => ({ samples, stats: { ...sync.stats, ...(window.hlsStats ?? {}) }, leads: sync.leads })
</script></body></html>`

/**
 * HLS mode: hls.js (MSE) plays the packaged stream, and every ~5 s the next fragment comes from
 * another rendition (hls.nextLevel), so the measurement includes rendition switches as well as the
 * seeks across segment boundaries the driver makes.
 */
const HLS_SETUP = `
import Hls from '/pkg/hls/hls.mjs'
const hls = new Hls({ enableWorker: true, capLevelToPlayerSize: false })
window.hlsStats = { renditionSwitches: 0 }
hls.on(Hls.Events.LEVEL_SWITCHED, () => { window.hlsStats.renditionSwitches++ })
hls.loadSource('/hls/master.m3u8')
hls.attachMedia(document.getElementById('v'))
setInterval(() => { if (hls.levels.length > 1) hls.nextLevel = (Math.max(0, hls.currentLevel) + 1) % hls.levels.length }, 5000)
`

export async function serveStatic (opts: { hlsDir?: string } = {}): Promise<{ url: string, close: () => Promise<void> }> {
  if (opts.hlsDir) ROOTS['/hls/'] = opts.hlsDir
  for (const dir of Object.values(ROOTS)) if (!existsSync(dir)) throw new Error(`missing ${dir}: build first (pnpm turbo run build)`)
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!)
    if (path === '/') { res.writeHead(200, { 'content-type': 'text/html' }).end(page(Boolean(opts.hlsDir))); return }
    const prefix = Object.keys(ROOTS).find((p) => path.startsWith(p))
    const file = prefix ? normalize(join(ROOTS[prefix]!, path.slice(prefix.length))) : ''
    if (!prefix || !file.startsWith(ROOTS[prefix]!) || !existsSync(file) || !statSync(file).isFile()) { res.writeHead(404).end(); return }
    const size = statSync(file).size
    const type = TYPES[extname(file)] ?? 'application/octet-stream'
    const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '')
    if (!range) {
      res.writeHead(200, { 'content-type': type, 'content-length': size, 'accept-ranges': 'bytes' })
      createReadStream(file).pipe(res)
      return
    }
    const start = range[1] ? Number(range[1]) : Math.max(0, size - Number(range[2]))
    const end = range[1] && range[2] ? Math.min(Number(range[2]), size - 1) : size - 1
    res.writeHead(206, { 'content-type': type, 'content-length': end - start + 1, 'content-range': `bytes ${start}-${end}/${size}`, 'accept-ranges': 'bytes' })
    createReadStream(file, { start, end }).pipe(res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }) }
}
