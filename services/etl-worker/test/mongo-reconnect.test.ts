// Every way the mongo plugin's client can be left closed under its callers (the archive's writers,
// the finalizer and the readiness check hold its Db and collections for the app's lifetime):
// - MongoDB down at start: the driver closes the topology of a connect that failed and leaves it
//   on the client, where every later operation fails at once with "Topology is closed", for good
//   (the bug behind the mongo-down-at-start fault test: the archive never started);
// - the heartbeat watchdog restarting the client (close, then connect), with MongoDB up or down;
// - anything else closing it while the app runs.
// A loopback port in front of the real server is opened and shut to make MongoDB "down" without
// touching the shared server.
import net from 'node:net'
import { Writable } from 'node:stream'
import { basicsPlugin } from '@watch-together/service-kit'
import { requireServer, stack, uniqueName, waitFor } from '@watch-together/test-kit'
import Fastify, { type FastifyInstance } from 'fastify'
import { MongoClient } from 'mongodb'
import t, { type Test } from 'tap'
import { mongoPlugin } from '../src/plugins/mongo.js'

/** A port that refuses connections until `open`, then forwards them to the real server; `shut` refuses again. */
async function gate (target: URL) {
  const reserve = net.createServer()
  await new Promise<void>((resolve) => reserve.listen(0, '127.0.0.1', resolve))
  const { port } = reserve.address() as net.AddressInfo
  await new Promise<void>((resolve) => reserve.close(() => resolve()))
  const sockets = new Set<net.Socket>()
  let server: net.Server | undefined
  const shut = async () => {
    const closing = server
    server = undefined
    for (const s of sockets) s.destroy()
    sockets.clear()
    if (closing) await new Promise<void>((resolve) => closing.close(() => resolve()))
  }
  return {
    url: `mongodb://127.0.0.1:${port}`,
    open: async () => {
      const current = net.createServer((client) => {
        const upstream = net.connect(Number(target.port || 27017), target.hostname)
        for (const s of [client, upstream]) { sockets.add(s); s.on('error', () => {}); s.on('close', () => sockets.delete(s)) }
        client.pipe(upstream)
        upstream.pipe(client)
        client.on('close', () => upstream.destroy())
        upstream.on('close', () => client.destroy())
      })
      server = current
      await new Promise<void>((resolve) => current.listen(port, '127.0.0.1', resolve))
    },
    shut
  }
}

/** The plugin alone, with its log lines kept for the assertions. */
async function startApp (t: Test, url: string, database: string) {
  const lines: Array<{ level: number, msg: string, err?: { type?: string, message?: string } }> = []
  const stream = new Writable({ write (chunk: Buffer, _enc, done) { lines.push(JSON.parse(chunk.toString())); done() } })
  const app = Fastify({ logger: { level: 'info', stream } })
  await app.register(basicsPlugin, { service: 'etl-reconnect-test' })
  // Shortened (a heartbeat on loopback takes milliseconds), so the stuck one the tests report is
  // acted on within seconds; long enough that a real one on a loaded machine is not.
  await app.register(mongoPlugin, { url, database, retry: { initialMs: 100, maxMs: 300 }, startWaitMs: 0, monitorStuckMs: 4000 })
  await app.ready()
  t.teardown(async () => {
    await app.close()
    const direct = new MongoClient(stack.mongoUrl, { serverSelectionTimeoutMS: 3000 })
    await direct.db(database).dropDatabase().catch(() => {})
    await direct.close()
  })
  return { app, lines }
}

const restarts = async (app: FastifyInstance) => (await app.metrics.getSingleMetric('etl_mongo_client_restarts_total')!.get()).values[0]?.value ?? 0

/** True once `p` resolves; false if it rejects or `ms` pass first. */
const within = (p: Promise<unknown>, ms: number) => {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    p.then(() => true, () => false),
    new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), ms) })
  ]).finally(() => clearTimeout(timer))
}

/** The watchdog reports a heartbeat that never ended; one of an address the driver does not know makes it restart the client. */
const reportStuckHeartbeat = (app: FastifyInstance) => app.mongo.client.emit('serverHeartbeatStarted', { connectionId: 'stuck.invalid:1', awaited: false })

t.before(async () => {
  await requireServer('MongoDB (FerretDB)', stack.mongoUrl, async () => {
    const probe = new MongoClient(stack.mongoUrl, { serverSelectionTimeoutMS: 3000 })
    try { await probe.db('admin').command({ ping: 1 }) } finally { await probe.close() }
  })
})

t.test('MongoDB down at start: once it answers, the plugin gets ready and the Db it handed out writes', async (t) => {
  const server = await gate(new URL(stack.mongoUrl))
  t.teardown(() => server.shut())
  const { app, lines } = await startApp(t, server.url, uniqueName('etl_reconnect_start'))
  const docs = app.mongo.db.collection<{ _id: number }>('docs') // held from the start, like the archive's collections
  // Deterministic: at least one whole connection attempt has failed (the driver then closes its topology).
  await waitFor('a connection attempt to fail while MongoDB is down', () => lines.some((l) => l.level === 40 && /not ready; retrying/.test(l.msg)), 30_000, 20)
  t.match((await app.inject('/readyz')).json().checks.mongo, /^not connected yet \(last attempt: /, '/readyz names the failure')
  t.notOk(app.mongo.isReady(), 'not ready while MongoDB is down')

  await server.open()
  t.ok(await within(app.mongo.ready, 20_000), 'ready within 20 s of MongoDB answering (it never was: "Topology is closed" for good)')
  await docs.insertOne({ _id: 1 })
  t.equal(await docs.countDocuments(), 1, 'a write through the collection taken before MongoDB answered')
  t.equal((await app.inject('/readyz')).statusCode, 200, '/readyz reports ready')
})

t.test('a client restart (stuck monitor) while writers hold its collections: their writes go on', async (t) => {
  const server = await gate(new URL(stack.mongoUrl))
  await server.open()
  t.teardown(() => server.shut())
  const { app } = await startApp(t, server.url, uniqueName('etl_reconnect_restart'))
  t.ok(await within(app.mongo.ready, 20_000), 'ready')
  const docs = app.mongo.db.collection<{ _id: number }>('docs')

  // A writer inserting without pause through the same collection object, as the archive does.
  let next = 0
  const run = { stop: false }
  let failures = 0
  const writer = (async () => {
    while (!run.stop) {
      try { await docs.insertOne({ _id: next++ }) } catch { failures++; await new Promise((resolve) => setTimeout(resolve, 20)) }
    }
  })()
  t.teardown(async () => { run.stop = true; await writer })
  await waitFor('a few writes', () => next > 5, 10_000, 10)

  reportStuckHeartbeat(app)
  await waitFor('the client to be restarted', async () => await restarts(app) >= 1, 20_000, 20)
  const written = next
  await waitFor('writes to go on after the restart', () => next > written + 20, 20_000, 20)
  run.stop = true
  await writer
  t.ok(await restarts(app) >= 1, 'the client was restarted')
  t.ok(failures < 1000, `writes failed only while the client was restarting (${failures})`)
  t.equal((await app.inject('/readyz')).statusCode, 200, 'ready after the restart')
  // Every write after the restart succeeds: none hits a closed client.
  for (let i = 0; i < 20; i++) await docs.insertOne({ _id: 1_000_000 + i })
  t.pass('20 writes in a row after the restart')
})

t.test('a client restart while MongoDB is down: once it answers, the same collections write again', async (t) => {
  const server = await gate(new URL(stack.mongoUrl))
  await server.open()
  t.teardown(() => server.shut())
  const { app, lines } = await startApp(t, server.url, uniqueName('etl_reconnect_down'))
  t.ok(await within(app.mongo.ready, 20_000), 'ready')
  const docs = app.mongo.db.collection<{ _id: number }>('docs')
  await docs.insertOne({ _id: 0 })

  await server.shut()
  reportStuckHeartbeat(app)
  await waitFor('a reconnection attempt to fail while MongoDB is down', () => lines.some((l) => l.level === 40 && /not connected yet; retrying/.test(l.msg)), 30_000, 20)
  await t.rejects(docs.insertOne({ _id: 1 }), 'writes fail while MongoDB is down')

  await server.open()
  await waitFor('a write to succeed again', async () => {
    try { await docs.insertOne({ _id: 2 }); return true } catch { return false }
  }, 20_000, 100)
  t.equal(await docs.countDocuments(), 2, 'the same collection object writes again')
  t.equal((await app.inject('/readyz')).statusCode, 200, 'ready again')
})

t.test('the client closed by anyone else while the app runs: the plugin connects it again', async (t) => {
  const server = await gate(new URL(stack.mongoUrl))
  await server.open()
  t.teardown(() => server.shut())
  const { app, lines } = await startApp(t, server.url, uniqueName('etl_reconnect_closed'))
  t.ok(await within(app.mongo.ready, 20_000), 'ready')
  const docs = app.mongo.db.collection<{ _id: number }>('docs')

  await app.mongo.client.close()
  await waitFor('a write to succeed again', async () => {
    try { await docs.insertOne({ _id: Date.now() }); return true } catch { return false }
  }, 20_000, 100)
  t.ok(lines.some((l) => l.level === 40 && /closed while the app runs/.test(l.msg)), 'logged')
  t.equal((await app.inject('/readyz')).statusCode, 200, 'ready')
})
