// RS256 bearer tokens verified against the Auth service's JWKS URL (JWT_JWKS_URL): a local HTTP
// server in this test plays the Auth service's key endpoint.
import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose'
import t from 'tap'
import { DEV_JWT_SECRET } from '../src/config.js'
import { buildTestApp } from './helpers/app.js'

const KID = 'auth-key-1'
const signing = await generateKeyPair('RS256')
const stranger = await generateKeyPair('RS256')
const publicJwk: JWK = { ...await exportJWK(signing.publicKey), kid: KID, alg: 'RS256', use: 'sig' }

/** Serves `{ keys }` at /jwks.json, or answers `status` when set; counts requests. */
async function jwksServer (keys: JWK[]) {
  const state = { status: 200, requests: 0 }
  const server: Server = createServer((req, res) => {
    state.requests++
    if (req.url !== '/jwks.json' || state.status !== 200) { res.writeHead(state.status === 200 ? 404 : state.status).end(); return }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`
  const close = async () => { if (server.listening) { server.closeAllConnections(); await new Promise((resolve) => server.close(resolve)) } }
  return { url, state, close }
}

function rs256 (opts: { kid?: string, key?: Parameters<SignJWT['sign']>[0], exp?: number | string, name?: string } = {}) {
  return new SignJWT({ name: opts.name ?? 'Rita' })
    .setProtectedHeader({ alg: 'RS256', kid: opts.kid ?? KID })
    .setSubject('rita-1').setIssuedAt().setExpirationTime(opts.exp ?? '1h')
    .sign(opts.key ?? signing.privateKey)
}

t.test('JWT_JWKS_URL: RS256 tokens from the key set are accepted; anything else is a 401', async (t) => {
  const jwks = await jwksServer([publicJwk])
  t.teardown(jwks.close)
  const { app } = await buildTestApp(t, { JWT_JWKS_URL: jwks.url, DEV_SIGN_IN: 'false' })
  const me = (token: string) => app.inject({ method: 'GET', url: '/api/v1/me/watchlist', headers: { authorization: `Bearer ${token}` } })
  const code = async (token: string) => {
    const res = await me(token)
    return `${res.statusCode} ${res.json().errors[0]?.code ?? ''}`.trim()
  }

  const good = await me(await rs256())
  t.equal(good.statusCode, 200, good.body)
  t.same(good.json(), { success: true, errors: [], items: [] })
  const created = await app.inject({ method: 'POST', url: '/api/v1/rooms', headers: { authorization: `Bearer ${await rs256({ name: 'Rita R.' })}` }, payload: { filmId: 'sintel' } })
  t.equal(created.statusCode, 201)
  t.equal(created.json().room.ownerId, 'rita-1', 'sub is the user id')
  t.equal(created.json().room.members[0].name, 'Rita R.', 'the name claim is the display name')

  t.equal(await code(await rs256({ kid: 'no-such-kid' })), '401 ROOM_AUTH_INVALID', 'unknown kid')
  t.equal(await code(await rs256({ key: stranger.privateKey })), '401 ROOM_AUTH_INVALID', 'right kid, wrong key')
  t.equal(await code(await rs256({ exp: Math.floor(Date.now() / 1000) - 60 })), '401 ROOM_AUTH_EXPIRED', 'expired')
  const hs256 = await new SignJWT({ name: 'Mallory' }).setProtectedHeader({ alg: 'HS256' }).setSubject('m-1')
    .setExpirationTime('1h').sign(new TextEncoder().encode(DEV_JWT_SECRET))
  t.equal(await code(hs256), '401 ROOM_AUTH_INVALID', 'HS256 (even with the configured secret) is refused when JWKS is configured')
  t.equal(await code('not.a.jwt'), '401 ROOM_AUTH_INVALID', 'malformed')
  t.equal(await code((await rs256()).slice(0, -4) + 'AAAA'), '401 ROOM_AUTH_INVALID', 'tampered signature')
})

t.test('the key set unreachable: 503 ROOM_AUTH_UNAVAILABLE (not a 401), recovering when it returns', async (t) => {
  const jwks = await jwksServer([publicJwk])
  t.teardown(jwks.close)
  const { app } = await buildTestApp(t, { JWT_JWKS_URL: jwks.url, DEV_SIGN_IN: 'false' })
  const me = async (token: string) => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/me/watchlist', headers: { authorization: `Bearer ${token}` } })
    return { status: res.statusCode, code: res.json().errors[0]?.code as string | undefined }
  }

  jwks.state.status = 500
  t.same(await me(await rs256()), { status: 503, code: 'ROOM_AUTH_UNAVAILABLE' }, 'the key endpoint answers 500')
  jwks.state.status = 200
  // jose waits out a 30 s cooldown before refetching after a fetch; a fresh app (a fresh key-set
  // cache) shows the recovery without waiting.
  const again = await buildTestApp(t, { JWT_JWKS_URL: jwks.url, DEV_SIGN_IN: 'false' })
  const ok = await again.app.inject({ method: 'GET', url: '/api/v1/me/watchlist', headers: { authorization: `Bearer ${await rs256()}` } })
  t.equal(ok.statusCode, 200, 'the key set is back')

  await jwks.close()
  const down = await buildTestApp(t, { JWT_JWKS_URL: jwks.url, DEV_SIGN_IN: 'false' })
  const res = await down.app.inject({ method: 'GET', url: '/api/v1/me/watchlist', headers: { authorization: `Bearer ${await rs256()}` } })
  t.equal(res.statusCode, 503, 'connection refused')
  t.same(res.json().errors.map((e: { code: string }) => e.code), ['ROOM_AUTH_UNAVAILABLE'])
  t.equal((await down.app.inject({ method: 'GET', url: '/api/v1/me/watchlist', headers: { authorization: 'Bearer not.a.jwt' } })).statusCode, 401,
    'a malformed token is still a 401: it is refused before any key is fetched')
})
