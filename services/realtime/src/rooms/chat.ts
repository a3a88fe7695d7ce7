import { randomUUID } from 'node:crypto'
import { type ChatMessage, ChatMessageSentFrame, type ClientFrame } from '@watch-together/protocol'
import { actOf, isHost, type Realtime, refuseAct, type Session } from './context.js'
import { endedBy } from './membership.js'
import { roomKeys } from './keys.js'
import { currentPosition } from '@watch-together/sync-core'

type ChatSend = Extract<ClientFrame, { type: 'chat.send' }>
type ChatReact = Extract<ClientFrame, { type: 'chat.react' }>
type ChatDelete = Extract<ClientFrame, { type: 'chat.delete' }>

async function limited (rt: Realtime, session: Session, ref: string | undefined) {
  const retryAfterMs = await rt.chatLimiter(roomKeys(rt.config.REDIS_PREFIX, session.claims.room).rate(session.claims.sub))
  if (retryAfterMs === 0) return false
  rt.metrics.frameErrors.inc({ code: 'RT_RATE_LIMITED' })
  session.error('RT_RATE_LIMITED', `too many messages; at most ${rt.config.CHAT_RATE_MAX} per ${rt.config.CHAT_RATE_WINDOW_MS} ms`, { ref, retryAfterMs })
  return true
}

/**
 * A chat message: plain text (stored and sent as given; clients render it inert), the sender's
 * video position attached, kept in the room's recent history. A retry with the same
 * clientMessageId gets the stored message back instead of a second copy.
 */
export async function handleChatSend (rt: Realtime, session: Session, frame: ChatSend) {
  const { room: roomId, sub: userId, name } = session.claims
  if (frame.text.length > rt.config.CHAT_MAX_LENGTH) {
    return session.error('RT_TEXT_TOO_LONG', `text is ${frame.text.length} characters, at most ${rt.config.CHAT_MAX_LENGTH}`, { ref: frame.ref, path: 'text' })
  }
  const keys = roomKeys(rt.config.REDIS_PREFIX, roomId)
  const messageId = randomUUID()
  const clientKey = `${userId}\u0000${frame.clientMessageId}`
  const claimed = await rt.redis.hSetNX(keys.chatClientIds, clientKey, messageId)
  if (!claimed) {
    const existingId = await rt.redis.hGet(keys.chatClientIds, clientKey)
    const stored = existingId ? await rt.redis.hGet(keys.chat, existingId) : null
    // The first attempt may still be in flight; its own broadcast will reach the sender.
    if (stored) session.reply(JSON.parse(stored))
    return
  }
  await rt.redis.expire(keys.chatClientIds, 86_400)
  if (await limited(rt, session, frame.ref)) {
    await rt.redis.hDel(keys.chatClientIds, clientKey)
    return
  }
  const now = Date.now()
  const positionMs = frame.positionMs ?? currentPosition(await rt.store.state(roomId, now), now)
  const message: ChatMessage = {
    messageId, clientMessageId: frame.clientMessageId, userId, name, text: frame.text, positionMs, at: now, reactions: {}
  }
  // A failure here must free the client id, or every retry of this message would be dropped for a day.
  const emitted = await rt.roomLog.emit(roomId, {
    member: actOf(session, true),
    frame: { type: 'chat.message_sent', at: now, ...(frame.ref ? { ref: frame.ref } : {}), message },
    event: {
      type: 'chat.message_sent',
      userId,
      at: now,
      payload: { messageId, clientMessageId: frame.clientMessageId, name, text: frame.text, positionMs }
    },
    chatMessageId: messageId
  }).catch(async (err: unknown) => {
    await rt.redis.hDel(keys.chatClientIds, clientKey).catch(() => {})
    throw err
  })
  if (emitted.ok === false && emitted.refused) {
    await rt.redis.hDel(keys.chatClientIds, clientKey)
    refuseAct(session, emitted.refused, frame.ref)
  }
}

/** An emoji reaction on a recent message; reacting twice with the same emoji changes nothing. */
export async function handleChatReact (rt: Realtime, session: Session, frame: ChatReact) {
  const { room: roomId, sub: userId } = session.claims
  const keys = roomKeys(rt.config.REDIS_PREFIX, roomId)
  // A deleted message (a tombstone) takes no reactions.
  const stored = await rt.redis.hGet(keys.chat, frame.messageId)
  if (!stored || stored.includes('"deleted":true')) {
    return session.error('RT_MESSAGE_NOT_FOUND', 'no recent message with that id', { ref: frame.ref, path: 'messageId' })
  }
  if (await limited(rt, session, frame.ref)) return
  const reactionKey = `${frame.messageId}\u0000${frame.emoji}\u0000${userId}`
  const added = await rt.redis.hSetNX(keys.reactions, reactionKey, '1')
  if (!added) return
  await rt.redis.expire(keys.reactions, 86_400)
  const now = Date.now()
  const emitted = await rt.roomLog.emit(roomId, {
    member: actOf(session),
    frame: { type: 'chat.reaction_added', at: now, messageId: frame.messageId, emoji: frame.emoji, userId },
    event: { type: 'chat.reaction_added', userId, at: now, payload: { messageId: frame.messageId, emoji: frame.emoji } }
  })
  if (emitted.ok === false && emitted.refused) {
    await rt.redis.hDel(keys.reactions, reactionKey)
    refuseAct(session, emitted.refused, frame.ref)
  }
}

/** Typing is not stored, so it is checked here: a departed or muted member's typing is refused. */
export async function handleTyping (rt: Realtime, session: Session, typing: boolean) {
  const { room, sub, name } = session.claims
  const keys = roomKeys(rt.config.REDIS_PREFIX, room)
  const [membership, muted] = await rt.redis.multi().hGet(keys.membership, sub).sIsMember(keys.muted, sub).exec() as unknown as [string | null, number | boolean]
  const ended = endedBy(membership, session.claims.epoch)
  if (ended) return refuseAct(session, ended)
  if (typing && Number(muted) === 1) return refuseAct(session, 'muted')
  await rt.hub.publishEphemeral(room, { type: 'chat.typing_changed', userId: sub, name, typing })
}

/**
 * Host only: deletes a recent message for everyone. The stored copy becomes a tombstone (text
 * gone, `deleted: true`) and its original event leaves the resume stream in the same step, so
 * history shows "message deleted"; the archive applies chat.message_deleted the same way.
 */
export async function handleChatDelete (rt: Realtime, session: Session, frame: ChatDelete) {
  const { room: roomId, sub: userId, name } = session.claims
  const keys = roomKeys(rt.config.REDIS_PREFIX, roomId)
  const meta = await rt.store.meta(roomId)
  if (!isHost(session, meta.hostId)) return session.error('RT_NOT_HOST', 'only the host can delete messages', { ref: frame.ref, path: 'type' })
  const stored = await rt.redis.hGet(keys.chat, frame.messageId)
  const parsed = stored ? ChatMessageSentFrame.safeParse(JSON.parse(stored)) : null
  if (!parsed?.success) return session.error('RT_MESSAGE_NOT_FOUND', 'no recent message with that id', { ref: frame.ref, path: 'messageId' })
  // Answered, so a client waiting on its ref is not left hanging; nothing changes.
  if (parsed.data.message.deleted) return session.error('RT_MESSAGE_NOT_FOUND', 'that message is already deleted', { ref: frame.ref, path: 'messageId' })
  const { seq, message } = parsed.data
  const tombstone = { ...parsed.data, ref: undefined, message: { ...message, text: '', deleted: true as const } }
  const now = Date.now()
  const emitted = await rt.roomLog.emit(roomId, {
    member: actOf(session),
    frame: { type: 'chat.message_deleted', at: now, ...(frame.ref ? { ref: frame.ref } : {}), messageId: message.messageId, actor: { userId, name } },
    event: { type: 'chat.message_deleted', userId, at: now, payload: { messageId: message.messageId, authorId: message.userId } },
    tombstone: { messageId: message.messageId, json: JSON.stringify(tombstone), seq }
  })
  if (emitted.ok === false && emitted.refused) refuseAct(session, emitted.refused, frame.ref)
}
