// Tokens, tickets, secrets, passwords, session cookies and CSRF tokens never reach the logs: the real built servers (room-api and realtime, as
// deployed: dist/server.js, pino at trace level) are used with credentials in every place a client puts
// them, then everything they wrote is searched for those credentials.
import { spawn, type ChildProcess } from 'node:child_process'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort, stack, uniqueName } from '@watch-together/test-kit'
import pg from 'pg'
import t from 'tap'
import { WebSocket } from 'ws'
import { requireStack } from './helpers/app.js'

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')
const JWT_SECRET = `jwt-secret-${uniqueName('s')}-0123456789abcdef`
const TICKET_SECRET = `ticket-secret-${uniqueName('s')}-0123456789`
const ADMIN_TOKEN = `admin-token-${uniqueName('s')}`

interface Running { child: ChildProcess, output: () => string, base: string }

/** Starts dist/server.js of a service on a free port and collects its stdout and stderr. */
async function startService (t: { teardown (fn: () => unknown): void }, service: string, env: Record<string, string>): Promise<Running> {
  let out = ''
  const port = await freePort()
  const child = spawn(process.execPath, [resolve(ROOT, `services/${service}/dist/server.js`)], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'trace', NODE_ENV: 'development', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  child.stdout!.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr!.on('data', (d: Buffer) => { out += d.toString() })
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  const base = `http://127.0.0.1:${port}`
  for (let tries = 0; ; tries++) {
    if (child.exitCode !== null) throw new Error(`${service} exited ${child.exitCode}: ${out.slice(-2000)}`)
    if (out.includes('Server listening at')) break
    if (tries > 600) throw new Error(`${service} did not listen in 60 s: ${out.slice(-2000)}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return { child, output: () => out, base }
}

async function stop (running: Running) {
  running.child.kill('SIGTERM')
  await new Promise((resolve) => running.child.exitCode === null ? running.child.once('exit', resolve) : resolve(null))
}

t.test('no credential appears in the logs of room-api or realtime', async (t) => {
  await requireStack()
  const schema = uniqueName('room_api_logs')
  t.teardown(async () => {
    const client = new pg.Client({ connectionString: stack.databaseUrl })
    await client.connect()
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    await client.end()
  })
  const api = await startService(t, 'room-api', {
    DATABASE_URL: stack.databaseUrl,
    KAFKA_BROKERS: stack.kafkaBrokers.join(','),
    PG_SCHEMA: schema,
    KAFKA_TOPIC: uniqueName('room-api-logs'),
    KAFKA_TOPIC_PARTITIONS: '1',
    KAFKA_CONSUME: 'false',
    DEV_SIGN_IN: 'true',
    JWT_SECRET,
    TICKET_SECRET
  })
  const realtime = await startService(t, 'realtime', {
    REDIS_URL: stack.redisUrl,
    KAFKA_BROKERS: stack.kafkaBrokers.join(','),
    REDIS_PREFIX: uniqueName('rt_logs'),
    KAFKA_TOPIC: uniqueName('rt-logs'),
    KAFKA_GROUP_ID: uniqueName('rt-logs-group'),
    TICKET_SECRET,
    ADMIN_TOKEN
  })

  const call = async (path: string, init: RequestInit & { token?: string } = {}) => {
    const headers: Record<string, string> = init.body ? { 'content-type': 'application/json' } : {}
    if (init.token) headers.authorization = `Bearer ${init.token}`
    const res = await fetch(`${api.base}${path}`, { ...init, headers })
    return { status: res.status, body: await res.json() as any }
  }
  const signIn = await call('/api/v1/auth/dev-sign-in', { method: 'POST', body: JSON.stringify({ name: 'Leaky' }) })
  t.equal(signIn.status, 200)
  const token: string = signIn.body.token
  const room = await call('/api/v1/rooms', { method: 'POST', token, body: JSON.stringify({ filmId: 'sintel' }) })
  t.equal(room.status, 201)
  const roomId: string = room.body.room.id
  const { ticket } = (await call(`/api/v1/rooms/${roomId}/ticket`, { method: 'POST', token })).body
  t.type(ticket, 'string')
  // Credentials where a confused client might put them: the query string, a broken header, a bad body.
  await fetch(`${api.base}/api/v1/rooms/${roomId}?token=${token}&access_token=${token}`)
  await call(`/api/v1/rooms/${roomId}`, { token: `${token}x` })
  await call('/api/v1/auth/dev-sign-in', { method: 'POST', body: JSON.stringify({ name: '', token, password: JWT_SECRET }) })

  // Accounts: a password, session cookies and the CSRF token in every place a client puts them.
  const PASSWORD = `pw-${uniqueName('secret')}`
  const NEW_PASSWORD = `new-${uniqueName('secret')}`
  const email = `${uniqueName('logs')}@example.test`
  const post = async (path: string, body: unknown, headers: Record<string, string> = {}) => {
    const init = body === undefined ? { headers } : { headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) }
    const res = await fetch(`${api.base}${path}`, { method: 'POST', ...init })
    return { status: res.status, body: await res.json() as any, cookies: res.headers.getSetCookie() }
  }
  const signUp = await post('/api/v1/auth/sign-up', { email, password: PASSWORD, displayName: 'Log Reader' })
  t.equal(signUp.status, 201)
  const cookieOf = (cookies: string[], name: string) => (cookies.find((c) => c.startsWith(`${name}=`)) ?? '').split(';')[0]!.slice(name.length + 1)
  const refreshToken = cookieOf(signUp.cookies, 'wt_refresh')
  const csrfToken: string = signUp.body.csrfToken
  const cookieHeader = `wt_refresh=${refreshToken}; wt_csrf=${csrfToken}`
  await post('/api/v1/auth/sign-in', { email, password: `${PASSWORD}x` })
  const session = await post('/api/v1/auth/sign-in', { email, password: PASSWORD })
  t.equal(session.status, 200)
  const refreshed = await post('/api/v1/auth/refresh', undefined, { cookie: cookieHeader, 'x-csrf-token': csrfToken })
  t.equal(refreshed.status, 200)
  const rotated = cookieOf(refreshed.cookies, 'wt_refresh')
  await post('/api/v1/auth/refresh', undefined, { cookie: cookieHeader, 'x-csrf-token': csrfToken }) // reuse: revokes
  await post('/api/v1/auth/refresh', undefined, { cookie: `wt_refresh=${rotated}`, 'x-csrf-token': `${csrfToken}x` }) // CSRF refusal
  await post(`/api/v1/auth/sign-in?password=${PASSWORD}&refresh_token=${refreshToken}&csrf_token=${csrfToken}`, { email, password: PASSWORD.slice(0, 3) })
  await post('/api/v1/auth/sign-up', { email: 'bad', password: PASSWORD, displayName: '', extra: refreshToken })
  const changed = await post('/api/v1/auth/change-password', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, { authorization: `Bearer ${session.body.token}` })
  t.equal(changed.status, 200)
  await post('/api/v1/auth/sign-out', undefined, { cookie: `wt_refresh=${cookieOf(changed.cookies, 'wt_refresh')}`, 'x-csrf-token': changed.body.csrfToken })

  const wsBase = realtime.base.replace('http', 'ws')
  const sockets = [`/rooms/${roomId}/ws?ticket=${ticket}`, `/rooms/${roomId}/ws?ticket=${ticket}x`, `/sync-player/ws?ticket=${ticket}`]
  for (const path of sockets) {
    const ws = new WebSocket(`${wsBase}${path}`, { headers: { authorization: `Bearer ${token}` } })
    ws.on('error', () => {})
    await new Promise((resolve) => {
      ws.once('message', () => ws.close())
      ws.once('close', resolve)
      setTimeout(() => ws.close(), 3000)
    })
  }
  await fetch(`${realtime.base}/admin/announcements`, {
    method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}x`, 'content-type': 'application/json' }, body: '{"text":"hi"}'
  })
  await stop(api)
  await stop(realtime)

  const logs = api.output() + realtime.output()
  t.ok(logs.includes('incoming request'), 'requests were logged (the check is not vacuous)')
  t.ok(logs.includes('[REDACTED]'), 'credentials were seen and redacted')
  const secrets = {
    'user token': token,
    'user token signature': token.split('.')[2]!,
    ticket,
    'ticket signature': ticket.split('.')[2]!,
    JWT_SECRET,
    TICKET_SECRET,
    ADMIN_TOKEN,
    password: PASSWORD,
    'new password': NEW_PASSWORD,
    'refresh token': refreshToken,
    'rotated refresh token': rotated,
    'refresh token after a password change': cookieOf(changed.cookies, 'wt_refresh'),
    'CSRF token': csrfToken,
    'CSRF token after a password change': changed.body.csrfToken,
    'session access token': session.body.token.split('.')[2]
  }
  for (const [what, value] of Object.entries(secrets)) {
    t.ok(value && value.length >= 16, `${what} was obtained`)
    t.notOk(logs.includes(value), `no ${what} in the logs`)
  }
})
