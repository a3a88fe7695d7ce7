// PostgreSQL stops: the affected routes answer 503 with a stable code (never crash, never 500)
// and the service recovers by itself once it is back.
import t from 'tap'
import { stackCommand, waitFor } from '@watch-together/test-kit'
import { buildTestApp } from '../helpers/app.js'

t.test('PostgreSQL down → 503, then recovery without a restart', async (t) => {
  t.teardown(() => stackCommand('up', 'postgres'))
  const { app, user } = await buildTestApp(t)
  const alice = await user('Alice')
  const room = (await alice.call('POST', '/api/v1/rooms', { filmId: 'sintel' })).json().room
  t.ok(room.id)

  await stackCommand('down', 'postgres')
  try {
    for (const [method, url, body] of [
      ['GET', `/api/v1/rooms/${room.id}`, undefined],
      ['POST', `/api/v1/rooms/${room.id}/ticket`, undefined],
      ['GET', '/api/v1/films', undefined],
      ['GET', '/api/v1/me/matches', undefined],
      ['PUT', `/api/v1/rooms/${room.id}/control-mode`, { controlMode: 'host_only' }]
    ] as const) {
      const res = await alice.call(method, url, body)
      t.equal(res.statusCode, 503, `${method} ${url}`)
      t.equal(res.json().errors[0].code, 'ROOM_DB_UNAVAILABLE')
    }
    const invite = await app.inject(`/r/${room.inviteCode}`)
    t.equal(invite.statusCode, 503, 'the invite page too')
    t.equal((await app.inject('/readyz')).statusCode, 503)
    t.equal((await app.inject('/healthz')).statusCode, 200, 'the process is alive')
  } finally {
    await stackCommand('up', 'postgres')
  }
  const back = await waitFor('room-api to answer again', async () => {
    const res = await alice.call('GET', `/api/v1/rooms/${room.id}`)
    return res.statusCode === 200 && res
  }, 60_000, 250)
  t.equal(back.json().room.id, room.id)
  t.equal((await alice.call('POST', `/api/v1/rooms/${room.id}/close`)).statusCode, 200, 'writes work again')
})
