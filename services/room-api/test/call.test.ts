// The call beside the film against a real LiveKit server (a test's own, started from the binary
// infra/local/stack builds): tokens and their grants per role, refusals, the host's moderation,
// removal of a departed member from the call, and the call's events in Kafka (LiveKit's webhooks).
import { freeTcpPort, startLivekit, waitFor } from '@watch-together/test-kit'
import { decodeJwt } from 'jose'
import { RoomServiceClient } from 'livekit-server-sdk'
import t from 'tap'
import WebSocket from 'ws'
import { buildTestApp } from './helpers/app.js'
import { collectTopic } from './helpers/topic.js'

/**
 * Joins the call's signaling with a token, as a browser's first step does: LiveKit lists the
 * participant (JOINED) without any media. Resolves with the socket once LiveKit has answered.
 */
async function joinSignaling (t: { teardown (fn: () => unknown): void }, wsUrl: string, token: string): Promise<WebSocket> {
  const ws = new WebSocket(`${wsUrl}/rtc?access_token=${token}&protocol=15&sdk=js&version=2.23.0&auto_subscribe=1`)
  t.teardown(() => ws.close())
  await new Promise<void>((resolve, reject) => {
    ws.once('message', () => resolve())
    ws.once('error', reject)
    ws.once('unexpected-response', (_req, res) => reject(new Error(`LiveKit refused the join: HTTP ${res.statusCode}`)))
  })
  return ws
}

t.test('call tokens, grants per role, moderation and removal, against a real LiveKit', async (t) => {
  const port = await freeTcpPort()
  const livekit = await startLivekit(t, { webhookUrl: `http://127.0.0.1:${port}/api/v1/call/webhook` })
  const { app, user, topic } = await buildTestApp(t, {
    LIVEKIT_URL: livekit.url,
    LIVEKIT_PUBLIC_URL: livekit.wsUrl,
    LIVEKIT_API_KEY: livekit.apiKey,
    LIVEKIT_API_SECRET: livekit.apiSecret,
    // The call consumer (member.left → out of the call) runs with the others.
    KAFKA_CONSUME: 'true'
  })
  await app.listen({ host: '127.0.0.1', port })
  const server = new RoomServiceClient(livekit.url, livekit.apiKey, livekit.apiSecret)
  const reader = await collectTopic(t, topic)

  const ann = await user('Ann')
  const bob = await user('Bob')
  const cid = await user('Cid')
  const eve = await user('Eve')
  const room = (await ann.call('POST', '/api/v1/rooms', { filmId: 'sintel' })).json().room
  for (const u of [bob, cid]) t.equal((await u.call('POST', `/api/v1/rooms/${room.id}/join`)).statusCode, 200)
  const tokenOf = async (u: typeof ann) => await u.call('POST', `/api/v1/rooms/${room.id}/call/token`)

  // Grants per role: everyone publishes and subscribes in this room's LiveKit room; the host also administers it.
  const hostAnswer = (await tokenOf(ann)).json()
  t.match(hostAnswer, { success: true, url: livekit.wsUrl, room: room.id, identity: ann.id, role: 'host' })
  const hostClaims = decodeJwt(hostAnswer.token) as { sub: string, name: string, metadata: string, exp: number, video: Record<string, unknown> }
  t.equal(hostClaims.sub, ann.id)
  t.equal(hostClaims.name, 'Ann')
  t.same(JSON.parse(hostClaims.metadata), { role: 'host' })
  t.match(hostClaims.video, { room: room.id, roomJoin: true, canPublish: true, canSubscribe: true, roomAdmin: true })
  t.same(hostClaims.video.canPublishSources, ['microphone', 'camera', 'screen_share', 'screen_share_audio'])
  t.ok(hostClaims.exp - Date.now() / 1000 <= 300 && hostClaims.exp - Date.now() / 1000 > 200, 'short-lived (CALL_TOKEN_TTL_SECONDS, 300 s)')
  const guestAnswer = (await tokenOf(bob)).json()
  t.equal(guestAnswer.role, 'guest')
  const guestClaims = decodeJwt(guestAnswer.token) as { video: Record<string, unknown> }
  t.match(guestClaims.video, { room: room.id, roomJoin: true, canPublish: true, canSubscribe: true })
  t.equal(guestClaims.video.roomAdmin, undefined, 'a guest does not administer the call')

  // LiveKit itself honours the grants: the host's token may use the server API on this room, a guest's may not.
  await t.resolves(new RoomServiceClient(livekit.url, undefined, undefined, { token: hostAnswer.token }).listParticipants(room.id), 'host token: room admin')
  const denied = await new RoomServiceClient(livekit.url, undefined, undefined, { token: guestAnswer.token }).listParticipants(room.id)
    .then(() => null, (err: unknown) => err as { status?: number })
  t.equal(denied?.status, 401, 'guest token: no room admin (LiveKit refuses it the server API)')

  // The tokens open the call: three members in LiveKit's room, named by their user ids.
  await joinSignaling(t, livekit.wsUrl, hostAnswer.token)
  const bobSocket = await joinSignaling(t, livekit.wsUrl, guestAnswer.token)
  await joinSignaling(t, livekit.wsUrl, (await tokenOf(cid)).json().token)
  const identities = async () => (await server.listParticipants(room.id)).map((p) => p.identity).sort()
  await waitFor('three in the call', async () => (await identities()).length === 3)
  t.same(await identities(), [ann.id, bob.id, cid.id].sort())

  // Refusals, with the rooms' stable codes.
  const refused = async (u: typeof ann, roomId: string) => { const r = await u.call('POST', `/api/v1/rooms/${roomId}/call/token`); return [r.statusCode, r.json().errors[0].code] }
  t.same(await refused(eve, room.id), [403, 'ROOM_NOT_MEMBER'], 'a non-member gets no token')
  t.same(await refused(eve, '00000000-0000-4000-8000-000000000000'), [404, 'ROOM_NOT_FOUND'])
  const badId = await eve.call('POST', '/api/v1/rooms/not-a-room/call/token')
  t.equal(badId.statusCode, 400, 'a malformed room id is a validation error')

  // Host moderation of the call: guests may not; the host removes Cid from the call only.
  const guestMute = await bob.call('POST', `/api/v1/rooms/${room.id}/call/members/${cid.id}/mute`, {})
  t.same([guestMute.statusCode, guestMute.json().errors[0].code], [403, 'ROOM_NOT_HOST'])
  const muteNothing = await ann.call('POST', `/api/v1/rooms/${room.id}/call/members/${cid.id}/mute`, {})
  t.same(muteNothing.json().tracks, [], 'Cid publishes no microphone: nothing to mute')
  t.equal((await ann.call('POST', `/api/v1/rooms/${room.id}/call/members/${cid.id}/remove`)).statusCode, 200)
  await waitFor('Cid out of the call', async () => !(await identities()).includes(cid.id))
  const again = await ann.call('POST', `/api/v1/rooms/${room.id}/call/members/${cid.id}/remove`)
  t.same([again.statusCode, again.json().errors[0].code], [409, 'CALL_NOT_IN_CALL'])
  // A member's own mute report is recorded only as LiveKit shows it: a track they do not publish is
  // refused, so is one from outside the call or a malformed id, and nothing is recorded for them.
  const selfMute = async (u: typeof ann, trackSid: string) => {
    const r = await u.call('POST', `/api/v1/rooms/${room.id}/call/self-mute`, { trackSid, muted: true })
    return [r.statusCode, r.json().errors[0]?.code]
  }
  t.same(await selfMute(bob, 'TR_NoSuchTrack'), [404, 'CALL_TRACK_NOT_FOUND'], 'Bob (signaling only) publishes no such track')
  t.same(await selfMute(cid, 'TR_NoSuchTrack'), [409, 'CALL_NOT_IN_CALL'], 'Cid, out of the call, has nothing to mute')
  t.same(await selfMute(eve, 'TR_NoSuchTrack'), [403, 'ROOM_NOT_MEMBER'], 'a non-member is refused before LiveKit is asked')
  t.same(await selfMute(bob, 'not a track'), [400, 'VALIDATION_FAILED'])
  t.equal((await tokenOf(cid)).statusCode, 200, 'removed from the call only: still a member, may come back')

  // Bob leaves the room: the call consumer (member.left) takes him out of the call at once, and he gets no token.
  t.equal((await bob.call('POST', `/api/v1/rooms/${room.id}/leave`)).statusCode, 200)
  await waitFor('Bob out of the call', async () => !(await identities()).includes(bob.id), 60_000)
  t.same(await identities(), [ann.id], 'only the host is left in LiveKit\'s room')
  await waitFor('Bob\'s signaling closed', () => bobSocket.readyState === WebSocket.CLOSED, 15_000)
  t.same(await refused(bob, room.id), [403, 'ROOM_NOT_MEMBER'], 'a departed member gets no token')

  // Cid is banned: no token, with the ban's code.
  t.equal((await ann.call('POST', `/api/v1/rooms/${room.id}/members/${cid.id}/remove`, { ban: true })).statusCode, 200)
  t.same(await refused(cid, room.id), [403, 'ROOM_BANNED'], 'a banned member gets no token')

  // The host closes the room: the call ends (LiveKit's room is gone), and no token is given.
  t.equal((await ann.call('POST', `/api/v1/rooms/${room.id}/close`)).statusCode, 200)
  await waitFor('the call ended', async () => (await server.listRooms([room.id])).length === 0, 60_000)
  t.same(await refused(ann, room.id), [410, 'ROOM_CLOSED'])

  // The call's events in Kafka: the host's removal, and LiveKit's webhooks (a signaling-only
  // participant's leave is reported as an aborted connection), verified and appended to the outbox.
  const callEvents = async () => reader.events.filter((e) => e.type.startsWith('call.'))
  await waitFor('call events in Kafka', async () => (await callEvents()).filter((e) => e.type === 'call.left').length >= 2, 60_000)
  const events = await callEvents()
  t.match(events.find((e) => e.type === 'call.member_removed'), { roomId: room.id, userId: cid.id, source: 'room-api', payload: { actorId: ann.id } })
  const left = events.filter((e) => e.type === 'call.left').map((e) => e.userId)
  t.ok(left.includes(bob.id) && left.includes(cid.id), 'LiveKit reported both departures')
  t.equal(events.filter((e) => e.type === 'call.track_muted').length, 0, 'refused mute reports recorded nothing')
  t.equal(new Set(events.map((e) => e.id)).size, events.length, 'each once')
  t.equal(reader.bad.length, 0, 'every record parses')
})

t.test('a webhook not signed with our key is refused and records nothing', async (t) => {
  const livekit = await startLivekit(t)
  const { app } = await buildTestApp(t, { LIVEKIT_URL: livekit.url, LIVEKIT_API_KEY: livekit.apiKey, LIVEKIT_API_SECRET: livekit.apiSecret })
  const body = JSON.stringify({ event: 'participant_joined', id: 'EV_x', room: { name: '00000000-0000-4000-8000-000000000000' }, participant: { identity: 'u', sid: 'PA_x' } })
  for (const authorization of [undefined, 'Bearer nonsense']) {
    const res = await app.inject({ method: 'POST', url: '/api/v1/call/webhook', headers: { 'content-type': 'application/webhook+json', ...(authorization ? { authorization } : {}) }, payload: body })
    t.same([res.statusCode, res.json().errors[0].code], [401, 'CALL_WEBHOOK_INVALID'])
  }
})
