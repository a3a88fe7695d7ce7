// What a websocket command waits out (a cluster failover) and what it does not (a bug, a bad script).
import t from 'tap'
import { isTransientRedisError, retryTransient } from '../../src/plugins/redis-retry.js'

class DisconnectsClientError extends Error {}

t.test('failover errors are transient, others are not', async (t) => {
  t.ok(isTransientRedisError(new Error('CLUSTERDOWN The cluster is down')))
  t.ok(isTransientRedisError(new Error('TRYAGAIN Multiple keys request during rehashing of slot')))
  t.ok(isTransientRedisError(new DisconnectsClientError('Disconnects client')))
  t.notOk(isTransientRedisError(new Error('ERR Error running script')))
  t.notOk(isTransientRedisError(new TypeError('x is undefined')))
})

t.test('a transient error is retried until the step succeeds; others are thrown at once', async (t) => {
  let calls = 0
  const result = await retryTransient(async () => { if (++calls < 3) throw new Error('CLUSTERDOWN'); return 'done' }, 10_000)
  t.equal(result, 'done')
  t.equal(calls, 3)
  let once = 0
  await t.rejects(retryTransient(async () => { once++; throw new Error('ERR wrong number of arguments') }, 10_000))
  t.equal(once, 1)
  await t.rejects(retryTransient(async () => { throw new Error('CLUSTERDOWN') }, 0), /CLUSTERDOWN/, 'gives up past its budget')
})
