// A server closing connections (FerretDB does it 3 s after SIGTERM) used to wedge the driver's
// server monitor: its heartbeat went out on a socket Node had destroyed but not yet reported
// closed, and waited for a 'drain' that never came, so every later operation failed server
// selection for good. patches/mongodb@7.8.0.patch makes the driver fail such a write at once; the
// mongo plugin's heartbeat watchdog (restart the client after a heartbeat stuck for
// `monitorStuckMs`) stays as a net, tested with fakes in unit/mongo-guards. A TCP proxy in front of
// the real server closes the monitor's idle connection and, right after, the one carrying a write.
import net from 'node:net'
import { basicsPlugin } from '@watch-together/service-kit'
import { requireServer, stack, uniqueName, waitFor } from '@watch-together/test-kit'
import Fastify from 'fastify'
import { MongoClient } from 'mongodb'
import t from 'tap'
import { mongoPlugin } from '../src/plugins/mongo.js'

interface Proxied { client: net.Socket, upstream: net.Socket, holdReplies: boolean, bytesIn: number }

/** Forwards loopback connections to the MongoDB server, in the order the driver opened them. */
async function startProxy (target: URL) {
  const connections: Proxied[] = []
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port || 27017), target.hostname)
    const c: Proxied = { client, upstream, holdReplies: false, bytesIn: 0 }
    connections.push(c)
    client.on('data', (d) => { c.bytesIn += d.length; upstream.write(d) })
    upstream.on('data', (d) => { if (!c.holdReplies) client.write(d) })
    client.on('error', () => {})
    upstream.on('error', () => {})
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  return {
    url: `mongodb://127.0.0.1:${port}`,
    connections,
    close: () => {
      for (const c of connections) { c.client.destroy(); c.upstream.destroy() }
      return new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

t.test('the server closing the monitor\'s and a write\'s connections does not wedge the driver: writes go on', async (t) => {
  await requireServer('MongoDB (FerretDB)', stack.mongoUrl, async () => {
    const probe = new MongoClient(stack.mongoUrl, { serverSelectionTimeoutMS: 3000 })
    try { await probe.db('admin').command({ ping: 1 }) } finally { await probe.close() }
  })
  const proxy = await startProxy(new URL(stack.mongoUrl))
  t.teardown(() => proxy.close())
  const database = uniqueName('etl_wedge')
  const app = Fastify({ logger: { level: process.env.ETL_TEST_LOG_LEVEL ?? 'silent' } })
  await app.register(basicsPlugin, { service: 'etl-wedge-test' })
  await app.register(mongoPlugin, { url: proxy.url, database, retry: { initialMs: 100, maxMs: 500 }, monitorStuckMs: 1500 })
  await app.ready()
  t.teardown(async () => {
    await app.close()
    const direct = new MongoClient(stack.mongoUrl, { serverSelectionTimeoutMS: 3000 })
    await direct.db(database).dropDatabase().catch(() => {})
    await direct.close()
  })
  await app.mongo.ready
  const docs = app.mongo.db.collection<{ _id: number }>('docs')
  await docs.insertOne({ _id: 0 })
  // The monitor's first connection is the first the proxy saw; the write's is the latest. Past the
  // driver's minHeartbeatFrequencyMS (500 ms) a failed operation wakes the monitor at once, as in
  // the worker, whose last heartbeat is seconds old when MongoDB stops.
  const monitor = proxy.connections[0]!
  const pool = proxy.connections[proxy.connections.length - 1]!
  t.not(monitor, pool, 'the monitor and the write use different connections')
  await new Promise((resolve) => setTimeout(resolve, 600))

  pool.holdReplies = true
  const sentBefore = pool.bytesIn
  const inFlight = docs.insertOne({ _id: 1 }).catch((err: Error) => err)
  await waitFor('the write to reach the server', () => pool.bytesIn > sentBefore, 5000, 10)
  monitor.client.end() // the server closes both, the idle monitor connection first
  pool.client.end()
  t.ok(await inFlight, 'the write in flight ended (written or failed, then retried by the worker)')

  await waitFor('a write to succeed again through the same client', async () => {
    try {
      await docs.insertOne({ _id: Date.now() })
      return true
    } catch { return false }
  }, 20_000, 100)
  const restarts = await app.metrics.getSingleMetric('etl_mongo_client_restarts_total')!.get()
  t.equal(restarts.values[0]?.value ?? 0, 0, 'the driver recovered by itself (the patch is applied), no client restart was needed')
})
