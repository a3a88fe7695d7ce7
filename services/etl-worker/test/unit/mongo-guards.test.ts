// The two guards against a silent MongoDB driver, with fakes: the heartbeat watchdog and the
// write limiter's timeout report.
import { EventEmitter } from 'node:events'
import { waitFor } from '@watch-together/test-kit'
import t from 'tap'
import { createWriteLimiter, MongoRequestTimeout } from '../../src/archive/write-limiter.js'
import { watchHeartbeats } from '../../src/mongo/heartbeat-watchdog.js'

const beat = (client: EventEmitter, event: string, address = '127.0.0.1:27017') => client.emit(event, { connectionId: address })

t.test('a heartbeat that never ends is reported once; answered ones never are', async (t) => {
  const client = new EventEmitter()
  const stuck: string[] = []
  const watchdog = watchHeartbeats(client, { stuckAfterMs: 30, checkEveryMs: 5, onStuck: (address) => stuck.push(address) })
  t.teardown(() => watchdog.stop())

  beat(client, 'serverHeartbeatStarted', 'a:1')
  beat(client, 'serverHeartbeatSucceeded', 'a:1')
  beat(client, 'serverHeartbeatStarted', 'b:1')
  beat(client, 'serverHeartbeatFailed', 'b:1')
  beat(client, 'serverHeartbeatStarted', 'c:1') // never answered
  await waitFor('the stuck heartbeat to be reported', () => stuck.length > 0, 5000, 5)
  beat(client, 'serverHeartbeatStarted', 'a:1') // a healthy monitor goes on beating
  beat(client, 'serverHeartbeatSucceeded', 'a:1')
  await new Promise((resolve) => setTimeout(resolve, 60)) // a few more checks
  t.same(stuck, ['c:1'], 'only the unanswered one, and only once')
})

t.test('after stop, nothing is reported and no listener is left', async (t) => {
  const client = new EventEmitter()
  let reported = 0
  const watchdog = watchHeartbeats(client, { stuckAfterMs: 10, checkEveryMs: 5, onStuck: () => { reported++ } })
  beat(client, 'serverHeartbeatStarted')
  watchdog.stop()
  await new Promise((resolve) => setTimeout(resolve, 40))
  t.equal(reported, 0)
  t.equal(client.listenerCount('serverHeartbeatStarted') + client.listenerCount('serverHeartbeatSucceeded') + client.listenerCount('serverHeartbeatFailed'), 0)
})

t.test('a request the limiter abandons is reported with its limit (logged and counted by the worker)', async (t) => {
  const timedOut: number[] = []
  const limit = createWriteLimiter(1, 50, (ms) => timedOut.push(ms))
  await t.rejects(limit(() => new Promise<never>(() => {})), MongoRequestTimeout)
  t.equal(await limit(async () => 'answered'), 'answered')
  t.same(timedOut, [50], 'one report, for the silent request only')
})

t.test('an abandoned request keeps its slot until it settles: no second writer beside it (issue 20)', async (t) => {
  const limit = createWriteLimiter(1, 50, () => {}, 5000)
  const started = Date.now()
  let settledAt = 0
  const slow = limit(() => new Promise<string>((resolve) => setTimeout(() => { settledAt = Date.now(); resolve('late') }, 400)))
  await t.rejects(slow, MongoRequestTimeout, 'the caller stops waiting after 50 ms')
  let secondStartedAt = 0
  t.equal(await limit(async () => { secondStartedAt = Date.now(); return 'next' }), 'next')
  t.ok(settledAt > 0 && secondStartedAt >= settledAt, `the next request started once the abandoned one settled (${settledAt - started} ms, next at ${secondStartedAt - started} ms)`)
})

t.test('a request that never settles gives its slot back after the hold limit', async (t) => {
  const limit = createWriteLimiter(1, 20, () => {}, 200)
  const started = Date.now()
  await t.rejects(limit(() => new Promise<never>(() => {})), MongoRequestTimeout)
  t.equal(await limit(async () => 'answered'), 'answered')
  t.ok(Date.now() - started >= 200, 'held for the limit')
})
