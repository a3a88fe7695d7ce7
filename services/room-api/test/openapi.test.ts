import t from 'tap'
import { buildTestApp } from './helpers/app.js'

t.test('the OpenAPI document is generated from the zod schemas', async (t) => {
  const { app } = await buildTestApp(t)
  const res = await app.inject('/api/v1/openapi.json')
  t.equal(res.statusCode, 200)
  const doc = res.json()
  t.equal(doc.openapi, '3.1.0')
  for (const path of ['/api/v1/rooms', '/api/v1/rooms/{roomId}', '/api/v1/rooms/{roomId}/join', '/api/v1/invites/{code}/join',
    '/api/v1/rooms/{roomId}/leave', '/api/v1/rooms/{roomId}/close', '/api/v1/rooms/{roomId}/control-mode', '/api/v1/rooms/{roomId}/host',
    '/api/v1/rooms/{roomId}/ticket', '/api/v1/films', '/api/v1/films/{filmId}', '/api/v1/me/watchlist', '/api/v1/me/watchlist/{filmId}',
    '/api/v1/me/friends', '/api/v1/me/friends/{userId}', '/api/v1/me/matches', '/api/v1/auth/dev-sign-in',
    '/api/v1/auth/providers', '/api/v1/auth/sign-up', '/api/v1/auth/sign-in', '/api/v1/auth/refresh', '/api/v1/auth/sign-out',
    '/api/v1/auth/sign-out-everywhere', '/api/v1/auth/change-password', '/api/v1/auth/telegram', '/api/v1/auth/telegram/link',
    '/api/v1/me', '/api/v1/me/avatar', '/api/v1/users/{userId}/avatar', '/api/v1/people', '/api/v1/people/{ref}',
    '/api/v1/me/friend-requests', '/api/v1/me/friend-requests/{userId}', '/api/v1/me/friend-requests/{userId}/accept',
    '/api/v1/me/friend-requests/{userId}/decline', '/api/v1/me/blocks', '/api/v1/me/blocks/{userId}']) {
    t.ok(doc.paths[path], path)
  }
  const create = doc.paths['/api/v1/rooms'].post
  t.same(create.security, [{ bearer: [] }])
  t.ok(create.requestBody.content['application/json'].schema, 'request body schema')
  t.ok(create.responses['201'], 'response schema')
  t.notOk(doc.paths['/r/{code}'], 'the HTML invite page is not part of the API document')
  t.same(doc.paths['/api/v1/auth/refresh'].post.security, [{ refreshCookie: [], csrfHeader: [] }], 'cookie-authenticated, CSRF header required')
  t.same(doc.components.securitySchemes.csrfHeader, { type: 'apiKey', in: 'header', name: 'x-csrf-token' })
})
