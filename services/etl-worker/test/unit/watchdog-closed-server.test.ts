// The heartbeat watchdog watches live monitors only: a heartbeat still pending when its server is
// closed (the driver closes the topology of a connect that failed, or the client is closed) never
// ends — no succeeded or failed event follows — and must not be reported as stuck later, which
// would restart a client that has nothing wrong.
import { EventEmitter } from 'node:events'
import t from 'tap'
import { watchHeartbeats } from '../../src/mongo/heartbeat-watchdog.js'

t.test('a heartbeat pending when its server closed is not reported as stuck', async (t) => {
  const client = new EventEmitter()
  const stuck: string[] = []
  const watchdog = watchHeartbeats(client, { stuckAfterMs: 30, checkEveryMs: 5, onStuck: (address) => stuck.push(address) })
  t.teardown(() => watchdog.stop())

  client.emit('serverHeartbeatStarted', { connectionId: 'a:1' })
  client.emit('serverHeartbeatStarted', { connectionId: 'b:1' })
  client.emit('serverClosed', { address: 'a:1' }) // its monitor is gone with it
  await new Promise((resolve) => setTimeout(resolve, 80))
  t.same(stuck, ['b:1'], 'only the heartbeat of a server still open')

  client.emit('serverHeartbeatStarted', { connectionId: 'a:1' }) // a new topology's monitor for the same address
  await new Promise((resolve) => setTimeout(resolve, 80))
  t.same(stuck, ['b:1', 'a:1'], 'a new monitor of that address is watched afresh')
})

t.test('after stop, no serverClosed listener is left', async (t) => {
  const client = new EventEmitter()
  const watchdog = watchHeartbeats(client, { stuckAfterMs: 10, checkEveryMs: 5, onStuck: () => {} })
  watchdog.stop()
  t.equal(client.listenerCount('serverClosed'), 0)
})
