// Bad input to the media library (admin API): corrupt, truncated, not media, an unsupported codec,
// path escapes (relative, absolute, symlink), over the size limit, bad URLs: each refused with its
// stable code, and the catalog unchanged.
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from '@watch-together/test-kit'
import t from 'tap'
import { buildTestApp } from './helpers/app.js'
import { addAndWait, admin, mediaEnv } from './helpers/media-admin.js'
import { makeFilm, makeUnsupported, truncate } from './helpers/media-fixtures.js'

// Each file gets 10 minutes: ffmpeg on a shared, loaded 2-core machine can be slow.
t.setTimeout(600_000)

const { root, dataDir, env } = mediaEnv(t)
const film = makeFilm(join(root, 'films'), 'Fire.Wings.2021', { seconds: 2 })

t.test('bad input is refused with a stable code and changes nothing', async (t) => {
  const test = await buildTestApp(t, env)
  const { app } = test
  const bad = join(root, 'bad')
  mkdirSync(bad, { recursive: true })
  writeFileSync(join(bad, 'notes.txt'), 'this is not a film\n'.repeat(50))
  writeFileSync(join(bad, 'random.mp4'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)))
  const truncatedFile = truncate(makeFilm(join(root, 'whole'), 'Whole.2020', { seconds: 12 }), join(bad, 'Half.2020.mkv'))
  const unsupported = makeUnsupported(bad)
  const big = join(bad, 'big.mp4')
  writeFileSync(big, Buffer.alloc(6 * 1024 * 1024))
  const outside = tempDir(t, 'wt-media-outside-')
  symlinkSync(outside, join(root, 'escape-link'))
  const before = (await app.inject('/api/v1/films?limit=100')).json().total

  const refused = async (input: string) => {
    const res = await app.inject({ method: 'POST', url: '/api/v1/admin/media', headers: admin, payload: { input } })
    if (res.statusCode === 202) return (await addAndWait(app, input)).error?.code // refused while packaging
    return res.json().errors[0].code
  }
  t.equal(await refused(join(bad, 'notes.txt')), 'MEDIA_NOT_MEDIA')
  t.equal(await refused(join(bad, 'random.mp4')), 'MEDIA_CORRUPT')
  t.equal(await refused(truncatedFile), 'MEDIA_CORRUPT', 'a truncated file')
  t.equal(await refused(unsupported), 'MEDIA_UNSUPPORTED_CODEC')
  t.equal(await refused(big), 'MEDIA_TOO_LARGE')
  t.equal(await refused('../../etc/passwd'), 'MEDIA_OUTSIDE_LIBRARY', 'a relative path escape')
  t.equal(await refused('/etc/hostname'), 'MEDIA_OUTSIDE_LIBRARY', 'an absolute path elsewhere')
  t.equal(await refused(join(root, 'escape-link')), 'MEDIA_OUTSIDE_LIBRARY', 'a symlink out of the library')
  t.equal(await refused(join(root, 'no-such.mkv')), 'MEDIA_INPUT_NOT_FOUND')
  t.equal(await refused('ftp://example.com/film.mp4'), 'MEDIA_URL_NOT_STREAMABLE')
  t.equal(await refused('http://127.0.0.1:9/film.m3u8'), 'MEDIA_URL_UNREACHABLE')
  const status = await app.inject({ method: 'POST', url: '/api/v1/admin/media', headers: admin, payload: { input: '../x' } })
  t.equal(status.statusCode, 403)
  t.equal((await app.inject({ method: 'POST', url: '/api/v1/admin/media', payload: { input: film } })).statusCode, 401, 'admin only')
  t.equal((await app.inject({ method: 'POST', url: '/api/v1/admin/media', headers: { authorization: 'Bearer wrong-token-0123456789abcdef' }, payload: { input: film } })).json().errors[0].code, 'MEDIA_ADMIN_REQUIRED')
  t.equal((await app.inject({ method: 'POST', url: '/api/v1/admin/media', headers: admin, payload: {} })).statusCode, 400)
  t.equal((await app.inject('/api/v1/films?limit=100')).json().total, before, 'the catalog is unchanged')
  t.same(readdirSync(join(dataDir, '.staging')).filter((n) => n.includes('half')), [], 'no staging left for the refused file')
})
