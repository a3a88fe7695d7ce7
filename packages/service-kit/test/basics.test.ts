import { Writable } from 'node:stream'
import Fastify from 'fastify'
import t from 'tap'
import { AppError, basicsPlugin, loggerOptions } from '../src/index.js'

async function build (lines: string[] = []) {
  const stream = new Writable({ write (chunk, _enc, cb) { lines.push(chunk.toString()); cb() } })
  const logger = { ...(loggerOptions('test-service', 'info') as object), stream }
  const app = Fastify({ logger })
  await app.register(basicsPlugin, { service: 'test-service', readinessTimeoutMs: 200 })
  app.get('/domain-error', async () => { throw new AppError('ROOM_NOT_FOUND', 404, 'no such room') })
  app.get('/crash', async () => { throw new Error('db password is hunter2') })
  app.post('/echo', async (request) => request.body)
  return app
}

t.test('/healthz answers while the process is alive', async (t) => {
  const app = await build()
  t.teardown(() => app.close())
  const res = await app.inject('/healthz')
  t.equal(res.statusCode, 200)
  t.same(res.json(), { status: 'ok', service: 'test-service' })
})

t.test('/readyz reports each dependency and 503 when one fails or hangs', async (t) => {
  const app = await build()
  t.teardown(() => app.close())
  app.readiness.add('good', async () => 'pong')
  let ok = true
  app.readiness.add('flaky', async () => { if (!ok) throw new Error('connection refused') })
  t.equal((await app.inject('/readyz')).statusCode, 200)
  ok = false
  const res = await app.inject('/readyz')
  t.equal(res.statusCode, 503)
  t.same(res.json().checks, { good: 'ok', flaky: 'connection refused' })
  app.readiness.add('slow', () => new Promise(() => {}))
  ok = true
  const hung = await app.inject('/readyz')
  t.equal(hung.statusCode, 503)
  t.match(hung.json().checks.slow, /no answer in 200 ms/)
})

t.test('a non-critical dependency is reported but never makes /readyz 503', async (t) => {
  const app = await build()
  t.teardown(() => app.close())
  app.readiness.add('kafka', async () => { throw new Error('broker down') }, { critical: false })
  const res = await app.inject('/readyz')
  t.equal(res.statusCode, 200)
  t.same(res.json().checks, { kafka: 'broker down' })
})

t.test('/metrics exposes Prometheus text with request durations', async (t) => {
  const app = await build()
  t.teardown(() => app.close())
  await app.inject('/healthz')
  const res = await app.inject('/metrics')
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /text\/plain/)
  t.match(res.body, /http_request_duration_seconds_count\{.*route="\/healthz".*\} 1/)
  t.match(res.body, /process_resident_memory_bytes/)
})

t.test('errors keep stable codes and hide 5xx internals', async (t) => {
  const lines: string[] = []
  const app = await build(lines)
  t.teardown(() => app.close())
  const domain = await app.inject('/domain-error')
  t.equal(domain.statusCode, 404)
  t.same(domain.json(), { success: false, errors: [{ code: 'ROOM_NOT_FOUND', message: 'no such room' }] })

  const crash = await app.inject('/crash')
  t.equal(crash.statusCode, 500)
  t.same(crash.json(), { success: false, errors: [{ code: 'INTERNAL', message: 'internal error' }] })
  t.notMatch(crash.body, /hunter2/, 'the body does not leak the error')

  const badJson = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json' }, payload: '{"a":' })
  t.equal(badJson.statusCode, 400, 'malformed JSON is a client error, not a 500')
  t.equal(badJson.json().success, false)

  const missing = await app.inject('/nope')
  t.equal(missing.statusCode, 404)
  t.equal(missing.json().errors[0].code, 'NOT_FOUND')
})

t.test('tokens and tickets never reach the logs', async (t) => {
  const lines: string[] = []
  const app = await build(lines)
  t.teardown(() => app.close())
  await app.inject({ url: '/domain-error?ticket=SECRET-TICKET&room=1', headers: { authorization: 'Bearer SECRET-JWT' } })
  await app.inject({ url: '/crash?token=SECRET-TOKEN' })
  const log = lines.join('')
  t.ok(log.length > 0, 'something was logged')
  t.notMatch(log, /SECRET-/, 'no credential in any log line')
  t.match(log, /ticket=\[REDACTED\]/)
})
