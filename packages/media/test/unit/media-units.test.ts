import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { checkGrant, itemId, ladderFor, parseFileName, resolveInput, signGrant, signViewer } from '../../src/index.js'

t.test('the ladder: the rungs at or below the source, at least two', async (t) => {
  t.same(ladderFor(1920, 1080).map((r) => r.name), ['1080p', '720p', '480p'])
  t.same(ladderFor(1280, 720).map((r) => r.name), ['720p', '480p', '360p'])
  t.same(ladderFor(320, 180).map((r) => [r.width, r.height]), [[320, 180], [160, 90]], 'a small source: itself and half')
  t.same(ladderFor(200, 150).map((r) => r.height), [150, 76])
  t.ok(ladderFor(3840, 2160).every((r) => r.width % 2 === 0 && r.height % 2 === 0), 'even sizes (x264 needs them)')
})

t.test('titles and years from file names; stable ids', async (t) => {
  t.same(parseFileName('/x/Sintel.2010.720p.mkv'), { title: 'Sintel', year: 2010 })
  t.same(parseFileName('/x/Big_Buck_Bunny (2008).mp4'), { title: 'Big Buck Bunny', year: 2008 })
  t.same(parseFileName('/x/01 Blue Hour.mp3'), { title: '01 Blue Hour', year: null })
  t.equal(itemId('Sintel', '/a'), itemId('Sintel', '/a'), 'the same input, the same id')
  t.not(itemId('Sintel', '/a'), itemId('Sintel', '/b'))
  t.match(itemId('Огненные крылья', '/a'), /^item-[0-9a-f]{8}$/, 'no latin letters: a neutral id')
  t.match(itemId('A'.repeat(300), '/a'), /^[a-z0-9][a-z0-9-]{0,63}$/, 'always a valid film id')
})

t.test('signed URLs: expiry, tampering, another item, another user', async (t) => {
  const secret = 'unit-secret'
  const now = 1_800_000_000_000
  const token = signGrant(secret, { userId: 'ann', itemId: 'film-1', expiresAt: now + 60_000 })
  const ann = signViewer(secret, 'ann')
  t.match(checkGrant(secret, token, 'film-1', ann, now), { ok: true, grant: { userId: 'ann', itemId: 'film-1' } })
  t.same(checkGrant(secret, token, 'film-1', ann, now + 61_000), { ok: false, code: 'MEDIA_URL_EXPIRED' })
  t.same(checkGrant(secret, token, 'film-2', ann, now), { ok: false, code: 'MEDIA_URL_INVALID' })
  t.same(checkGrant('other-secret', token, 'film-1', ann, now), { ok: false, code: 'MEDIA_URL_INVALID' })
  t.same(checkGrant(secret, token, 'film-1', signViewer(secret, 'petr'), now), { ok: false, code: 'MEDIA_URL_OTHER_USER' })
  t.same(checkGrant(secret, token, 'film-1', undefined, now), { ok: false, code: 'MEDIA_URL_OTHER_USER' })
  t.same(checkGrant(secret, token, 'film-1', `${ann.split('.')[0]}.forged`, now), { ok: false, code: 'MEDIA_URL_OTHER_USER' })
  const [user, exp, sig] = token.split('.')
  t.same(checkGrant(secret, `${user}.${Number(exp) + 3600}.${sig}`, 'film-1', ann, now), { ok: false, code: 'MEDIA_URL_INVALID' }, 'a later expiry written in')
  t.same(checkGrant(secret, `${Buffer.from('petr').toString('base64url')}.${exp}.${sig}`, 'film-1', signViewer(secret, 'petr'), now), { ok: false, code: 'MEDIA_URL_INVALID' }, 'another user written in')
  for (const junk of ['', '.', 'a.b', 'a.b.c.d', `${user}.x.${sig}`]) t.equal(checkGrant(secret, junk, 'film-1', ann, now).ok, false, `junk ${JSON.stringify(junk)}`)
})

t.test('inputs: inside the library root only, under the size limit', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'wt-media-unit-'))
  const outside = mkdtempSync(join(tmpdir(), 'wt-media-unit-out-'))
  t.teardown(() => { for (const dir of [root, outside]) rmSync(dir, { recursive: true, force: true }) })
  mkdirSync(join(root, 'films'))
  writeFileSync(join(root, 'films', 'a.mkv'), 'x'.repeat(10))
  writeFileSync(join(outside, 'b.mkv'), 'x')
  symlinkSync(join(outside, 'b.mkv'), join(root, 'films', 'link.mkv'))
  const limits = { libraryRoot: root, maxBytes: 5 }
  const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: { code?: string }) => e.code)
  t.match(await resolveInput('films', limits), { kind: 'folder' })
  t.equal(await code(resolveInput('films/a.mkv', limits)), 'MEDIA_TOO_LARGE')
  t.match(await resolveInput('films/a.mkv', { ...limits, maxBytes: 10 }), { kind: 'file', size: 10 })
  t.equal(await code(resolveInput('../etc/passwd', limits)), 'MEDIA_OUTSIDE_LIBRARY')
  t.equal(await code(resolveInput('films/../../x', limits)), 'MEDIA_OUTSIDE_LIBRARY')
  t.equal(await code(resolveInput(join(outside, 'b.mkv'), limits)), 'MEDIA_OUTSIDE_LIBRARY')
  t.equal(await code(resolveInput('films/link.mkv', limits)), 'MEDIA_OUTSIDE_LIBRARY', 'a symlink pointing out')
  t.equal(await code(resolveInput('films/none.mkv', limits)), 'MEDIA_INPUT_NOT_FOUND')
  t.match(await resolveInput('https://example.com/a.m3u8', limits), { kind: 'url', url: 'https://example.com/a.m3u8' })
  t.equal(await code(resolveInput('file:///etc/passwd', limits)), 'MEDIA_URL_NOT_STREAMABLE')
  t.equal(await code(resolveInput('x', { ...limits, libraryRoot: join(root, 'nope') })), 'MEDIA_INPUT_NOT_FOUND')
})
