import type { ChatMessage } from '@watch-together/protocol'
import { formatTime, h, replaceChildren } from '../dom.js'
import { describeRefusal } from './player-controls.js'
import type { RoomContext } from './room-page.js'

const REACTIONS = ['👍', '😂', '❤️', '😮']
const TYPING_IDLE_MS = 3000
const KEPT_MESSAGES = 200

const chatKey = (roomId: string) => `wt.chat.${roomId}`

/** The chat this browser saw in a room, kept so a closed room's history stays readable. */
export function loadSavedChat (roomId: string): ChatMessage[] {
  try {
    return JSON.parse(localStorage.getItem(chatKey(roomId)) ?? '[]') as ChatMessage[]
  } catch {
    return []
  }
}

/**
 * Chat with history (the server sends recent messages on join), reactions and typing. Every
 * piece of user text goes through text nodes (dom.ts), never innerHTML. A message the host
 * deleted reads "message deleted"; the host has a delete action on the others. A muted member
 * reads the chat but cannot type.
 */
export function chatPanel (rc: RoomContext) {
  const { client } = rc
  const list = h('ol', { id: 'chat-messages', className: 'messages', attrs: { role: 'log', 'aria-label': 'Chat messages', 'aria-live': 'polite' } })
  const typingLine = h('p', { id: 'typing', className: 'muted small', attrs: { 'aria-live': 'polite' } })
  const input = h('input', { id: 'chat-input', attrs: { name: 'message', maxlength: '1000', autocomplete: 'off', placeholder: 'Say something…', 'aria-describedby': 'chat-muted' } })
  const send = h('button', { id: 'chat-send', attrs: { type: 'submit' } }, 'Send')
  const mutedLine = h('p', { id: 'chat-muted', className: 'notice small', attrs: { role: 'status' } })
  const rows = new Map<string, { message: ChatMessage, row: HTMLElement }>()
  const typing = new Map<string, string>()
  let isHost = rc.isHost()

  const save = () => {
    const messages = [...rows.values()].map((r) => r.message).slice(-KEPT_MESSAGES)
    try { localStorage.setItem(chatKey(rc.room.id), JSON.stringify(messages)) } catch {}
  }

  const reactionBar = (message: ChatMessage) => h('div', { className: 'reactions', attrs: { role: 'group', 'aria-label': 'Reactions' } },
    ...REACTIONS.map((emoji) => {
      const who = message.reactions[emoji] ?? []
      const mine = who.includes(rc.myId)
      return h('button', {
        className: `reaction${mine ? ' mine' : ''}`,
        attrs: { type: 'button', 'aria-pressed': String(mine), 'aria-label': `React ${emoji}${who.length ? ` (${who.length})` : ''}` },
        on: { click: () => { try { client.react(message.messageId, emoji) } catch (err) { rc.notify(describeRefusal(err)) } } }
      }, who.length ? `${emoji} ${who.length}` : emoji)
    }))

  const deleteButton = (message: ChatMessage) => h('button', {
    className: 'link small delete-message',
    attrs: { type: 'button', 'aria-label': `Delete the message from ${message.name}` },
    on: { click: () => { client.deleteMessage(message.messageId).catch((err) => rc.notify(describeRefusal(err))) } }
  }, 'Delete')

  const messageRow = (message: ChatMessage) => h('li', {
    className: `message${message.userId === rc.myId ? ' own' : ''}${message.deleted ? ' deleted' : ''}`,
    attrs: { 'data-message-id': message.messageId }
  },
  h('div', { className: 'meta' },
    h('span', { className: 'author' }, message.name),
    h('span', { className: 'muted small', attrs: { title: 'Position in the film' } }, formatTime(message.positionMs)),
    isHost && !message.deleted ? deleteButton(message) : null),
  message.deleted ? h('p', { className: 'text deleted' }, 'message deleted') : h('p', { className: 'text' }, message.text),
  message.deleted ? null : reactionBar(message))

  const add = (message: ChatMessage, scroll = true) => {
    const known = rows.get(message.messageId)
    const row = messageRow(message)
    if (known) known.row.replaceWith(row)
    else list.appendChild(row)
    rows.set(message.messageId, { message, row })
    if (scroll) list.scrollTop = list.scrollHeight
    save()
  }
  const showAll = (messages: ChatMessage[]) => {
    rows.clear()
    replaceChildren(list)
    for (const m of messages) add(m)
  }
  const showTyping = () => {
    const names = [...typing.values()]
    typingLine.textContent = names.length === 0 ? '' : `${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} typing…`
  }

  /** Role and mute come with room changes (pushed frames): the delete actions and the input follow them. */
  const onRoom = () => {
    const me = rc.room.members.find((m) => m.userId === rc.myId && !m.leftAt)
    const muted = me?.muted ?? false
    input.disabled = muted
    send.disabled = muted
    input.placeholder = muted ? 'You are muted' : 'Say something…'
    mutedLine.textContent = muted ? 'The host muted you: you can read the chat but not send messages.' : ''
    mutedLine.hidden = !muted
    if (rc.isHost() === isHost) return
    isHost = rc.isHost()
    for (const { message } of [...rows.values()]) add(message, false)
  }
  rc.onRoomChange(onRoom)
  onRoom()

  const offs = [
    client.on('ready', () => showAll(client.chat)),
    client.on('messageDeleted', ({ messageId }) => {
      const known = rows.get(messageId)
      if (known) add({ ...known.message, text: '', reactions: {}, deleted: true }, false)
    }),
    client.on('chat', (message) => { typing.delete(message.userId); showTyping(); add(message) }),
    client.on('reaction', ({ messageId, emoji, userId }) => {
      const known = rows.get(messageId)
      if (!known) return
      const who = known.message.reactions[emoji] ?? []
      if (who.includes(userId)) return
      add({ ...known.message, reactions: { ...known.message.reactions, [emoji]: [...who, userId] } })
    }),
    client.on('typing', ({ userId, name, typing: on }) => {
      if (userId === rc.myId) return
      if (on) typing.set(userId, name)
      else typing.delete(userId)
      showTyping()
    })
  ]

  // Typing: on while keys are pressed, off after a pause or on send.
  let typingOn = false
  let idle: ReturnType<typeof setTimeout> | undefined
  const setTyping = (on: boolean) => {
    if (on === typingOn || !client.isOpen()) return
    typingOn = on
    try { client.setTyping(on) } catch {}
  }
  input.addEventListener('input', () => {
    setTyping(input.value.length > 0)
    clearTimeout(idle)
    idle = setTimeout(() => setTyping(false), TYPING_IDLE_MS)
  })

  const form = h('form', {
    className: 'chat-form',
    on: {
      submit: (event) => {
        event.preventDefault()
        const text = input.value.trim()
        if (!text) return
        try {
          client.sendChat(text)
          input.value = ''
          setTyping(false)
        } catch (err) {
          rc.notify(describeRefusal(err))
        }
      }
    }
  }, h('label', { className: 'visually-hidden', attrs: { for: 'chat-input' } }, 'Message'), input, send)

  const element = h('section', { className: 'card chat', attrs: { 'aria-labelledby': 'chat-title' } },
    h('h2', { id: 'chat-title' }, 'Chat'), list, typingLine, mutedLine, form)
  return { element, stop: () => { clearTimeout(idle); for (const off of offs) off() } }
}
