import { randomUUID } from 'node:crypto'
import { type ChatMessage, ChatMessageSentFrame, type ClientFrame } from '@watch-together/protocol'
import { currentPosition } from '@watch-together/sync-core'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from '../config.js'
import type { RealtimeMetrics } from '../metrics.js'
import type { Hub } from './hub.js'
import { endedBy } from './membership.js'
import type { RoomStore } from './room-store.js'
import { actOf, isHost, refuseAct, type Session } from './session.js'

type ChatSend = Extract<ClientFrame, { type: 'chat.send' }>
type ChatReact = Extract<ClientFrame, { type: 'chat.react' }>
type ChatDelete = Extract<ClientFrame, { type: 'chat.delete' }>
type ReactionSend = Extract<ClientFrame, { type: 'reaction.send' }>

export interface ChatDeps { config: Config, store: RoomStore, hub: Pick<Hub, 'publishEphemeral'>, metrics: RealtimeMetrics }

/** The chat commands (dispatch.ts routes the frames here). */
export function createChat (rt: ChatDeps) {
  function rateLimited (session: Session, ref: string | undefined, retryAfterMs: number) {
    rt.metrics.frameErrors.inc({ code: 'RT_RATE_LIMITED' })
    session.error('RT_RATE_LIMITED', `too many messages; at most ${rt.config.CHAT_RATE_MAX} per ${rt.config.CHAT_RATE_WINDOW_MS} ms`, { ref, retryAfterMs })
  }

  async function limited (session: Session, ref: string | undefined) {
    const retryAfterMs = await rt.store.chatAllowance(session.claims.room, session.claims.sub)
    if (retryAfterMs === 0) return false
    rateLimited(session, ref, retryAfterMs)
    return true
  }

  /**
   * A chat message: plain text (stored and sent as given; clients render it inert), the sender's
   * video position attached, kept in the room's recent history. A retry with the same
   * clientMessageId gets the stored message back instead of a second copy.
   */
  async function handleChatSend (session: Session, frame: ChatSend) {
    const { room: roomId, sub: userId, name } = session.claims
    if (frame.text.length > rt.config.CHAT_MAX_LENGTH) {
      return session.error('RT_TEXT_TOO_LONG', `text is ${frame.text.length} characters, at most ${rt.config.CHAT_MAX_LENGTH}`, { ref: frame.ref, path: 'text' })
    }
    const messageId = randomUUID()
    const now = Date.now()
    const positionMs = frame.positionMs ?? currentPosition(await rt.store.state(roomId, now), now)
    const message: ChatMessage = {
      messageId, clientMessageId: frame.clientMessageId, userId, name, text: frame.text, positionMs, at: now, reactions: {}
    }
    // One step checks the retry (same client id), the rate window and the membership, and stores the
    // message, so nothing is claimed or counted by an attempt that then fails.
    const emitted = await rt.store.emit(roomId, {
      member: actOf(session, true),
      frame: { type: 'chat.message_sent', at: now, ...(frame.ref ? { ref: frame.ref } : {}), message },
      event: {
        type: 'chat.message_sent',
        userId,
        at: now,
        payload: { messageId, clientMessageId: frame.clientMessageId, name, text: frame.text, positionMs }
      },
      chatMessageId: messageId,
      dedupe: { userId, clientMessageId: frame.clientMessageId },
      rateLimit: { userId, max: rt.config.CHAT_RATE_MAX, windowMs: rt.config.CHAT_RATE_WINDOW_MS }
    })
    if (emitted.ok) return
    // A retry of a stored message gets it back instead of a second copy.
    if (emitted.duplicate !== undefined) { if (emitted.duplicate) session.reply(JSON.parse(emitted.duplicate)); return }
    if (emitted.retryAfterMs !== undefined) return rateLimited(session, frame.ref, emitted.retryAfterMs)
    if (emitted.refused) refuseAct(session, emitted.refused, frame.ref)
  }

  /** An emoji reaction on a recent message; reacting twice with the same emoji changes nothing. */
  async function handleChatReact (session: Session, frame: ChatReact) {
    const { room: roomId, sub: userId } = session.claims
    // A deleted message (a tombstone) takes no reactions.
    const stored = await rt.store.chatFrame(roomId, frame.messageId)
    if (!stored || stored.includes('"deleted":true')) {
      return session.error('RT_MESSAGE_NOT_FOUND', 'no recent message with that id', { ref: frame.ref, path: 'messageId' })
    }
    if (await limited(session, frame.ref)) return
    if (!await rt.store.addReaction(roomId, frame.messageId, frame.emoji, userId)) return
    const now = Date.now()
    const emitted = await rt.store.emit(roomId, {
      member: actOf(session),
      frame: { type: 'chat.reaction_added', at: now, messageId: frame.messageId, emoji: frame.emoji, userId },
      event: { type: 'chat.reaction_added', userId, at: now, payload: { messageId: frame.messageId, emoji: frame.emoji } }
    })
    if (emitted.ok === false && emitted.refused) {
      await rt.store.removeReaction(roomId, frame.messageId, frame.emoji, userId)
      refuseAct(session, emitted.refused, frame.ref)
    }
  }

  /** Typing is not stored, so it is checked here: a departed or muted member's typing is refused. */
  async function handleTyping (session: Session, typing: boolean) {
    const { room, sub, name } = session.claims
    const { membership, muted } = await rt.store.actorStatus(room, sub)
    const ended = endedBy(membership, session.claims.epoch)
    if (ended) return refuseAct(session, ended)
    if (typing && muted) return refuseAct(session, 'muted')
    await rt.hub.publishEphemeral(room, { type: 'chat.typing_changed', userId: sub, name, typing })
  }

  /**
   * A reaction floated over everyone's video: live only (like typing), from a member whose membership
   * holds, counted against the same per-member limit as chat and message reactions.
   */
  async function handleReactionSend (session: Session, frame: ReactionSend) {
    const { room, sub, name } = session.claims
    const { membership } = await rt.store.actorStatus(room, sub)
    const ended = endedBy(membership, session.claims.epoch)
    if (ended) return refuseAct(session, ended, frame.ref)
    if (await limited(session, frame.ref)) return
    await rt.hub.publishEphemeral(room, { type: 'reaction.floated', userId: sub, name, emoji: frame.emoji, at: Date.now() })
  }

  /**
   * Host only: deletes a recent message for everyone. The stored copy becomes a tombstone (text
   * gone, `deleted: true`) and its original event leaves the resume stream in the same step, so
   * history shows "message deleted"; the archive applies chat.message_deleted the same way.
   */
  async function handleChatDelete (session: Session, frame: ChatDelete) {
    const { room: roomId, sub: userId, name } = session.claims
    const meta = await rt.store.meta(roomId)
    if (!isHost(session, meta.hostId)) return session.error('RT_NOT_HOST', 'only the host can delete messages', { ref: frame.ref, path: 'type' })
    const stored = await rt.store.chatFrame(roomId, frame.messageId)
    const parsed = stored ? ChatMessageSentFrame.safeParse(JSON.parse(stored)) : null
    if (!parsed?.success) return session.error('RT_MESSAGE_NOT_FOUND', 'no recent message with that id', { ref: frame.ref, path: 'messageId' })
    // Answered, so a client waiting on its ref is not left hanging; nothing changes.
    if (parsed.data.message.deleted) return session.error('RT_MESSAGE_NOT_FOUND', 'that message is already deleted', { ref: frame.ref, path: 'messageId' })
    const { seq, message } = parsed.data
    const tombstone = { ...parsed.data, ref: undefined, message: { ...message, text: '', deleted: true as const } }
    const now = Date.now()
    const emitted = await rt.store.emit(roomId, {
      member: actOf(session),
      frame: { type: 'chat.message_deleted', at: now, ...(frame.ref ? { ref: frame.ref } : {}), messageId: message.messageId, actor: { userId, name } },
      event: { type: 'chat.message_deleted', userId, at: now, payload: { messageId: message.messageId, authorId: message.userId } },
      tombstone: { messageId: message.messageId, json: JSON.stringify(tombstone), seq }
    })
    if (emitted.ok === false && emitted.refused) refuseAct(session, emitted.refused, frame.ref)
  }

  return { send: handleChatSend, react: handleChatReact, typing: handleTyping, delete: handleChatDelete, float: handleReactionSend }
}
export type Chat = ReturnType<typeof createChat>

declare module 'fastify' {
  interface FastifyInstance {
    chat: Chat
  }
}

export const chatPlugin = fp(async (app: FastifyInstance, { config }: { config: Config }) => {
  app.decorate('chat', createChat({ config, store: app.roomStore, hub: app.roomHub, metrics: app.realtimeMetrics }))
}, { name: 'chat', dependencies: ['room-store', 'room-hub', 'realtime-metrics'] })
