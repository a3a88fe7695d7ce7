import type { ChatMessage } from '@watch-together/protocol'
import { useEffect, useRef, useState } from 'preact/hooks'
import { formatTime } from '../dom.js'
import { formatClock, formatList, t } from '../i18n/index.js'
import type { RoomSession } from './session.js'

const REACTIONS = ['👍', '😂', '❤️', '😮']
const TYPING_IDLE_MS = 3000

function MessageRow ({ session, message, host }: { session: RoomSession, message: ChatMessage, host: boolean }) {
  return (
    <li class={`message${message.userId === session.myId ? ' own' : ''}${message.deleted ? ' deleted' : ''}`} data-message-id={message.messageId}>
      <div class='meta'>
        <span class='author'>{message.name}</span>
        <span class='muted small' title={t('room.chat.at', { time: formatTime(message.positionMs) })}>
          <time dateTime={new Date(message.at).toISOString()}>{formatClock(message.at)}</time> · {formatTime(message.positionMs)}
        </span>
        {host && !message.deleted && (
          <button
            type='button' class='link small delete-message' aria-label={t('room.chat.deleteLabel', { name: message.name })}
            onClick={() => { session.client.deleteMessage(message.messageId).catch(session.fail) }}
          >{t('room.chat.delete')}
          </button>
        )}
      </div>
      {message.deleted ? <p class='text deleted'>{t('room.chat.deleted')}</p> : <p class='text'>{message.text}</p>}
      {!message.deleted && (
        <div class='reactions' role='group' aria-label={t('room.chat.reactions')}>
          {REACTIONS.map((emoji) => {
            const who = message.reactions[emoji] ?? []
            const mine = who.includes(session.myId)
            return (
              <button
                key={emoji} type='button' class={`reaction${mine ? ' mine' : ''}`} aria-pressed={mine}
                aria-label={who.length ? t('room.chat.reactCount', { emoji, count: who.length }) : t('room.chat.react', { emoji })}
                onClick={() => { try { session.client.react(message.messageId, emoji) } catch (err) { session.fail(err) } }}
              >
                {who.length ? `${emoji} ${who.length}` : emoji}
              </button>
            )
          })}
        </div>
      )}
    </li>
  )
}

/** The message box: typing on while keys are pressed, off after a pause or on send; disabled while muted. */
export function ChatForm ({ session, idPrefix = 'chat' }: { session: RoomSession, idPrefix?: string }) {
  const [text, setText] = useState('')
  const typingOn = useRef(false)
  const idle = useRef<ReturnType<typeof setTimeout>>(undefined)
  const muted = session.isMuted()
  const setTyping = (on: boolean) => {
    if (on === typingOn.current || !session.client.isOpen()) return
    typingOn.current = on
    try { session.client.setTyping(on) } catch {}
  }
  useEffect(() => () => clearTimeout(idle.current), [])
  return (
    <form
      class='chat-form' onSubmit={(e) => {
        e.preventDefault()
        const message = text.trim()
        if (!message) return
        try {
          session.client.sendChat(message)
          setText('')
          setTyping(false)
        } catch (err) { session.fail(err) }
      }}
    >
      <label class='visually-hidden' for={`${idPrefix}-input`}>{t('room.chat.message')}</label>
      <input
        id={`${idPrefix}-input`} name='message' maxLength={1000} autoComplete='off' value={text} disabled={muted}
        placeholder={muted ? t('room.chat.mutedPlaceholder') : t('room.chat.placeholder')} aria-describedby={muted ? 'chat-muted' : undefined}
        onInput={(e) => {
          const value = (e.currentTarget as HTMLInputElement).value
          setText(value)
          setTyping(value.length > 0)
          clearTimeout(idle.current)
          idle.current = setTimeout(() => setTyping(false), TYPING_IDLE_MS)
        }}
      />
      <button id={`${idPrefix}-send`} type='submit' disabled={muted}>{t('room.chat.send')}</button>
    </form>
  )
}

/**
 * Chat with history (the server sends recent messages on join), reactions and typing. User text is
 * always text (Preact makes text nodes). A message the host deleted reads "message deleted".
 */
export function Chat ({ session }: { session: RoomSession }) {
  const list = useRef<HTMLDivElement>(null)
  const messages = session.messages()
  const host = session.isHost()
  const last = messages.at(-1)?.messageId
  useEffect(() => { if (list.current) list.current.scrollTop = list.current.scrollHeight }, [last, messages.length])
  const names = [...session.typing.values()]
  return (
    <section class='chat' aria-labelledby='chat-title'>
      <h2 id='chat-title' class='visually-hidden'>{t('room.chat.title')}</h2>
      <div id='chat-log' class='chat-log' ref={list} role='log' aria-label={t('room.chat.messages')} aria-live='polite' tabIndex={0}>
        {messages.length === 0 && <p class='muted small empty'>{t('room.chat.empty')}</p>}
        <ol id='chat-messages' class='messages'>
          {messages.map((m) => <MessageRow key={m.messageId} session={session} message={m} host={host} />)}
        </ol>
      </div>
      <p id='typing' class='muted small' aria-live='polite'>{names.length ? t('room.chat.typing', { names: formatList(names), count: names.length }) : ''}</p>
      {session.isMuted() && <p id='chat-muted' class='notice small' role='status'>{t('room.chat.mutedLine')}</p>}
      <ChatForm session={session} />
    </section>
  )
}
