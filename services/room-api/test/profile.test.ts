// Profiles against real PostgreSQL: handle and display name changes, avatar uploads checked by magic
// bytes, size and pixel dimensions, and the public avatar URL (upload or initials SVG).
import t from 'tap'
import { initials, sniffImage } from '../src/accounts/avatars.js'
import { handleBase } from '../src/accounts/handles.js'
import { buildTestApp } from './helpers/app.js'

const code = (res: { json: () => { errors: Array<{ code: string }> } }) => res.json().errors[0]?.code
const b64 = (s: string) => Buffer.from(s, 'base64')
// 2×2 images made with ffmpeg, and the classic 1×1 GIF.
const PNG = b64('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAACXBIWXMAAAABAAAAAQBPJcTWAAAAEElEQVR4nGP4y8AARAwQCgAfrgP19hgqWQAAAABJRU5ErkJggg==')
const JPEG = b64('/9j/4AAQSkZJRgABAgAAAQABAAD//gAQTGF2YzU5LjM3LjEwMAD/2wBDAAgEBAQEBAUFBQUFBQYGBgYGBgYGBgYGBgYHBwcICAgHBwcGBgcHCAgICAkJCQgICAgJCQoKCgwMCwsODg4RERT/xABMAAEBAAAAAAAAAAAAAAAAAAAABgEBAQAAAAAAAAAAAAAAAAAABgcQAQAAAAAAAAAAAAAAAAAAAAARAQAAAAAAAAAAAAAAAAAAAAD/wAARCAACAAIDASIAAhEAAxEA/9oADAMBAAIRAxEAPwCLAFF/f//Z')
const WEBP = b64('UklGRjwAAABXRUJQVlA4IDAAAADQAQCdASoCAAIAAgA0JaACdLoB+AADsAD+8Oj3/yC5YXXI1/8gP+QH/ID/+PIAAAA=')
const GIF = b64('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==')

t.test('handles from names; initials; magic bytes', async (t) => {
  t.equal(handleBase('Vasily Petrov'), 'vasily_petrov')
  t.equal(handleBase('Zoë Ångström'), 'zoe_angstrom')
  t.equal(handleBase('Василий'), 'user', 'nothing latin left: the fallback')
  t.equal(handleBase('42 Admin'), 'user', 'a reserved word is not used')
  t.equal(initials('vasily petrov'), 'VP')
  t.equal(initials('Ёжик'), 'Ё')
  t.equal(initials('!!!'), '?')
  t.same([PNG, JPEG, WEBP, GIF].map(sniffImage), ['image/png', 'image/jpeg', 'image/webp', 'image/gif'])
  t.equal(sniffImage(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"/>')), null)
})

t.test('PATCH /me: handle and display name, with the usual checks', async (t) => {
  const { user } = await buildTestApp(t)
  const ann = await user('Ann')
  const ben = await user('Ben')
  const res = await ann.call('PATCH', '/api/v1/me', { handle: '@Annie', displayName: '  Ann Marie ' })
  t.equal(res.statusCode, 200)
  t.same([res.json().user.handle, res.json().user.displayName, res.json().user.name], ['annie', 'Ann Marie', 'Ann Marie'])
  t.equal((await ann.call('PATCH', '/api/v1/me', { handle: 'annie' })).statusCode, 200, 'keeping my own handle is fine')
  const taken = await ben.call('PATCH', '/api/v1/me', { handle: 'ANNIE' })
  t.equal(taken.statusCode, 409)
  t.equal(code(taken), 'ROOM_HANDLE_TAKEN')
  t.match(taken.json().errors[0].suggestion, /^annie_\d+$/)
  for (const body of [{}, { handle: 'ab' }, { handle: 'has space' }, { displayName: '' }, { displayName: 'x'.repeat(65) }, { email: 'a@b.c' }]) {
    t.equal((await ben.call('PATCH', '/api/v1/me', body)).statusCode, 400, JSON.stringify(body))
  }
  const me = (await ben.call('GET', '/api/v1/me')).json().user
  t.equal(me.displayName, 'Ben', 'nothing changed by the refusals')
})

t.test('avatars: uploads by magic bytes, size and dimensions; initials otherwise; public and cacheable', async (t) => {
  const { app, user } = await buildTestApp(t, { AVATAR_MAX_BYTES: '4096' })
  const ann = await user('Ann Lee')
  const meUrl = async () => (await ann.call('GET', '/api/v1/me')).json().user.avatarUrl as string

  const initialsSvg = await app.inject(await meUrl())
  t.equal(initialsSvg.statusCode, 200)
  t.match(initialsSvg.headers['content-type'], /^image\/svg\+xml/)
  t.match(initialsSvg.body, />AL<\/text>/)
  t.equal(initialsSvg.headers['x-content-type-options'], 'nosniff')
  t.match(initialsSvg.headers['content-security-policy'], /default-src 'none'.*sandbox/)

  const put = (body: Buffer | string, type: string) => app.inject({ method: 'PUT', url: '/api/v1/me/avatar', payload: body, headers: { authorization: `Bearer ${ann.token}`, 'content-type': type } })
  for (const [bytes, type] of [[PNG, 'image/png'], [JPEG, 'image/jpeg'], [WEBP, 'image/webp'], [GIF, 'image/gif']] as const) {
    const res = await put(bytes, 'application/octet-stream')
    t.equal(res.statusCode, 200, `${type} accepted`)
    const got = await app.inject(res.json().user.avatarUrl)
    t.equal(got.headers['content-type'], type, 'served with the sniffed type')
    t.same(got.rawPayload, bytes)
    t.equal(got.headers['cache-control'], 'public, max-age=86400')
  }
  t.match(await meUrl(), /\?v=4$/, 'each upload bumps the version in the URL')

  const svg = await put('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', 'image/svg+xml')
  t.equal(svg.statusCode, 415)
  t.equal(code(svg), 'ROOM_AVATAR_UNSUPPORTED', 'SVG (script) is never accepted')
  t.equal(code(await put(Buffer.from('GIF89a'), 'image/gif')), 'ROOM_AVATAR_UNSUPPORTED', 'magic bytes without an image')
  t.equal(code(await put(Buffer.from('not an image at all'), 'image/png')), 'ROOM_AVATAR_UNSUPPORTED', 'the declared type is not believed')
  const huge = await put(Buffer.concat([PNG, Buffer.alloc(5000)]), 'image/png')
  t.equal(huge.statusCode, 413)
  t.equal(code(huge), 'ROOM_AVATAR_TOO_LARGE')
  const wide = Buffer.from(PNG)
  wide.writeUInt32BE(5000, 16) // IHDR width
  t.equal(code(await put(wide, 'image/png')), 'ROOM_AVATAR_TOO_LARGE', 'too many pixels')
  t.equal(code(await put(PNG, 'application/json')), 'FST_ERR_CTP_INVALID_JSON_BODY', 'a JSON body is not an image')
  t.same((await app.inject(await meUrl())).rawPayload, GIF, 'refusals changed nothing')

  const removed = await ann.call('DELETE', '/api/v1/me/avatar')
  t.equal(removed.statusCode, 200)
  t.match((await app.inject(removed.json().user.avatarUrl)).headers['content-type'], /^image\/svg\+xml/)
  t.equal(code(await app.inject('/api/v1/users/nobody-here/avatar')), 'ROOM_USER_NOT_FOUND')
  const noAuth = await app.inject({ method: 'PUT', url: '/api/v1/me/avatar', payload: PNG, headers: { 'content-type': 'image/png' } })
  t.equal(code(noAuth), 'ROOM_AUTH_REQUIRED')
})
