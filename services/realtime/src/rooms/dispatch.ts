import { CLIENT_FRAME_TYPES, ClientFrame } from '@watch-together/protocol'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Chat } from './chat.js'
import { handlePlayerCommand, type PlayerDeps } from './player-commands.js'
import { actOf, refuseAct, type Session } from './session.js'

/** What the frame handlers use: the room store, the film end, the ready-wait and the chat. */
export interface CommandDeps extends PlayerDeps { chat: Chat }

/**
 * Parses one incoming websocket message and runs its command. Every failure becomes an error
 * frame with a stable code; nothing here throws to the socket.
 */
export async function dispatchFrame (rt: CommandDeps, session: Session, data: Buffer, isBinary: boolean, receivedAt: number) {
  if (isBinary) return session.error('RT_BINARY_FRAME', 'binary frames are not accepted; send JSON text')
  let json: unknown
  try {
    json = JSON.parse(data.toString('utf8'))
  } catch {
    return session.error('RT_BAD_JSON', 'the frame is not valid JSON')
  }
  const type = (json as { type?: unknown } | null)?.type
  // The ref is echoed only when it is itself valid, so error frames always match their schema.
  const rawRef = (json as { ref?: unknown } | null)?.ref
  const ref = typeof rawRef === 'string' && rawRef.length <= 64 ? rawRef : undefined
  if (typeof type !== 'string' || !CLIENT_FRAME_TYPES.includes(type)) {
    return session.error('RT_UNKNOWN_TYPE', `unknown frame type ${JSON.stringify(type ?? null)}`, { ref, path: 'type' })
  }
  const parsed = ClientFrame.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    return session.error('RT_INVALID_FRAME', issue?.message ?? 'invalid frame', { ref, path: issue?.path.map(String).join('.') })
  }
  const frame = parsed.data
  rt.metrics.framesIn.inc({ type: frame.type })
  switch (frame.type) {
    case 'clock.ping':
      return session.reply({ type: 'clock.replied', ref: frame.ref, clientSentAt: frame.clientSentAt, serverReceivedAt: receivedAt, serverSentAt: Date.now() })
    case 'chat.send':
      return await rt.chat.send(session, frame)
    case 'chat.react':
      return await rt.chat.react(session, frame)
    case 'chat.delete':
      return await rt.chat.delete(session, frame)
    case 'reaction.send':
      return await rt.chat.float(session, frame)
    case 'chat.set_typing':
      return await rt.chat.typing(session, frame.typing)
    case 'buffering.report':
      return await reportBuffering(rt, session, frame.buffering, frame.waitForMe)
    case 'player.report_playing':
      return await reportPlaying(rt, session, frame.playing)
    case 'player.report_ended':
      return await rt.filmEnd.handleReport(session, frame)
    default:
      return await handlePlayerCommand(rt, session, frame)
  }
}

/**
 * A member's buffering / ready report. It is shown to the room and recorded, but never turned
 * into a room-wide pause: one stalled member must not stop everyone.
 */
async function reportBuffering (rt: CommandDeps, session: Session, buffering: boolean, waitForMe?: boolean) {
  const { room, sub } = session.claims
  if (session.buffering === buffering) {
    if (waitForMe !== undefined) await rt.readyWait.report(room, sub, buffering, waitForMe)
    return
  }
  session.buffering = buffering
  const now = Date.now()
  const itemId = (await rt.store.state(room, now)).itemId
  const emitted = await rt.store.emit(room, {
    member: actOf(session),
    frame: { type: 'buffering.changed', at: now, userId: sub, buffering, itemId },
    event: { type: buffering ? 'buffering.started' : 'buffering.ended', userId: sub, at: now, payload: { itemId } }
  })
  if (emitted.ok === false && emitted.refused) return refuseAct(session, emitted.refused)
  await rt.readyWait.report(room, sub, buffering, waitForMe)
}

/** Whether this member's player plays: the room's "playing now" counter (room.counters), nothing else. */
async function reportPlaying (rt: CommandDeps, session: Session, playing: boolean) {
  await rt.store.setPlaying(session.claims.room, session.claims.sub, playing)
}

declare module 'fastify' {
  interface FastifyInstance {
    roomCommands: { dispatch: (session: Session, data: Buffer, isBinary: boolean, receivedAt: number) => Promise<void> }
  }
}

/** The room's frame handlers, built once from the parts they use. */
export const roomCommandsPlugin = fp(async (app: FastifyInstance) => {
  const deps: CommandDeps = { store: app.roomStore, filmEnd: app.filmEnd, readyWait: app.readyWait, metrics: app.realtimeMetrics, chat: app.chat }
  app.decorate('roomCommands', { dispatch: async (session, data, isBinary, receivedAt) => { await dispatchFrame(deps, session, data, isBinary, receivedAt) } })
}, { name: 'room-commands', dependencies: ['room-store', 'film-end', 'ready-wait', 'realtime-metrics', 'chat'] })
