// room-api serves the built web client: pages answer index.html uncached, hashed assets are
// immutable, films honour Range requests (seeking), /config.json tells the page where realtime is.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { buildTestApp } from './helpers/app.js'

const root = mkdtempSync(join(tmpdir(), 'wt-web-'))
mkdirSync(join(root, 'assets'))
mkdirSync(join(root, 'media'))
writeFileSync(join(root, 'index.html'), '<!doctype html><title>Watch Together</title>')
writeFileSync(join(root, 'assets', 'index-abc123.js'), 'console.log(1)')
writeFileSync(join(root, 'media', 'film.webm'), Buffer.alloc(1000, 7))

t.test('pages, assets, films with ranges, config', async (t) => {
  const { app } = await buildTestApp(t, { WEB_DIST_DIR: root, WEB_REALTIME_URL: 'wss://rt.example' })
  for (const url of ['/', '/sign-in', '/rooms/5b0d3c1e-1111-4222-8333-444455556666', '/profile', '/friends', '/matches']) {
    const page = await app.inject(url)
    t.equal(page.statusCode, 200, url)
    t.match(page.body, /<title>Watch Together/)
    t.equal(page.headers['cache-control'], 'no-cache', `${url} is revalidated`)
  }
  const asset = await app.inject('/assets/index-abc123.js')
  t.equal(asset.statusCode, 200)
  t.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable')

  const range = await app.inject({ url: '/media/film.webm', headers: { range: 'bytes=100-199' } })
  t.equal(range.statusCode, 206)
  t.equal(range.headers['content-range'], 'bytes 100-199/1000')
  t.equal(range.rawPayload.length, 100)
  t.equal((await app.inject('/media/film.webm')).headers['accept-ranges'], 'bytes')

  const config = await app.inject('/config.json')
  t.same(config.json(), { realtimeUrl: 'wss://rt.example', devSignIn: true })
  t.equal((await app.inject('/media/missing.webm')).statusCode, 404)
  t.equal((await app.inject('/api/v1/nope')).statusCode, 404, 'unknown API paths stay 404')
})

t.test('not built: only config.json, the API is untouched', async (t) => {
  const { app } = await buildTestApp(t, { WEB_DIST_DIR: join(root, 'nothing-here') })
  t.equal((await app.inject('/')).statusCode, 404)
  t.equal((await app.inject('/config.json')).statusCode, 200)
})
