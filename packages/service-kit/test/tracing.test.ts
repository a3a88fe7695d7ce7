// OpenTelemetry export when configured: a request's span reaches a real OTLP/HTTP receiver (a local
// HTTP server standing in for a collector) with the caller's trace id, and the trace id is on the logs.
import { createServer } from 'node:http'
import Fastify from 'fastify'
import t from 'tap'
import { basicsPlugin, flushTracing, loggerOptions } from '../src/index.js'

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c'

t.test('spans go to the OTLP endpoint, continuing the caller\'s trace; log lines carry the trace id', async (t) => {
  const received: string[] = []
  const collector = createServer((req, res) => {
    let body = ''
    req.on('data', (d: Buffer) => { body += d.toString() })
    req.on('end', () => { received.push(`${req.url} ${body}`); res.writeHead(200, { 'content-type': 'application/json' }).end('{}') })
  })
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise((resolve) => collector.close(resolve)))
  const endpoint = `http://127.0.0.1:${(collector.address() as { port: number }).port}`

  const lines: string[] = []
  const app = Fastify({ logger: { ...(loggerOptions('traced', 'info') as object), stream: { write: (l: string) => { lines.push(l) } } } as never })
  await app.register(basicsPlugin, { service: 'traced', otlpEndpoint: endpoint })
  app.get('/work', async (request) => { request.log.info('working'); return { ok: true } })
  const res = await app.inject({ url: '/work', headers: { traceparent: `00-${TRACE_ID}-b7ad6b7169203331-01` } })
  t.match(res.headers.traceparent, new RegExp(`^00-${TRACE_ID}-[0-9a-f]{16}-01$`))
  await flushTracing()
  await app.close()
  const exported = received.find((r) => r.startsWith('/v1/traces'))
  t.ok(exported, 'the span was exported to /v1/traces')
  t.match(exported, /GET \/work/, 'named by its route')
  t.match(exported, /traced/, 'with the service name')
  t.match(exported, /b7ad6b7169203331/, 'its parent is the caller\'s span')
  const working = lines.map((l) => JSON.parse(l) as { msg: string, traceId?: string }).find((l) => l.msg === 'working')
  t.equal(working?.traceId, TRACE_ID, 'the handler\'s log line carries the trace id')
})
