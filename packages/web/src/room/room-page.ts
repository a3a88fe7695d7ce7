import { attach, type MediaSync, RoomClient, RoomError } from '@watch-together/client'
import type { Film, Room } from '@watch-together/protocol'
import { ApiError, films as filmsApi, rooms as roomsApi } from '../api.js'
import { h, replaceChildren } from '../dom.js'
import type { PageContext } from '../main.js'
import { siteHeader } from '../pages/header.js'
import { loadSession } from '../session.js'
import { chatPanel, loadSavedChat } from './chat-panel.js'
import { hostPanel } from './host-panel.js'
import { invitePanel } from './invite-panel.js'
import { membersPanel } from './members-panel.js'
import { playerControls } from './player-controls.js'

/** What the room's parts share: the room as room-api last told it, the live client, notices. */
export interface RoomContext {
  room: Room
  client: RoomClient
  films: Map<string, Film>
  myId: string
  /** Shows a message to the user (a refused command, a failed call). */
  notify: (message: string) => void
  /** Refreshes `room` from room-api (roles, control mode, status) and re-renders what depends on it. */
  refreshRoom: () => Promise<void>
  onRoomChange: (fn: (room: Room) => void) => void
}

export function renderRoom (ctx: PageContext, roomId: string, code: string | null) {
  document.title = 'Room · Watch Together'
  const main = h('main', { id: 'main', className: 'page room' }, h('p', { attrs: { role: 'status' } }, 'Joining the room…'))
  replaceChildren(ctx.root, siteHeader(ctx.navigate), main)
  const teardown: Array<() => void> = []
  let alive = true

  const start = async () => {
    const [joined, catalog] = await Promise.all([
      code ? roomsApi.joinByCode(code) : roomsApi.join(roomId),
      filmsApi.list()
    ])
    if (!alive) return
    // The invite code served its purpose: keep a clean, shareable room address.
    if (code) history.replaceState(null, '', `/rooms/${joined.room.id}`)
    mountRoom(ctx, main, joined.room, new Map(catalog.films.map((f) => [f.id, f])), teardown)
  }
  start().catch((err: unknown) => {
    if (!alive) return
    if (err instanceof ApiError && err.code === 'ROOM_CLOSED') return showClosed(ctx, main, roomId, 'closed')
    const message = err instanceof ApiError && (err.code === 'ROOM_NOT_FOUND' || err.code === 'ROOM_INVITE_NOT_FOUND')
      ? 'This room does not exist. Check the link you were sent.'
      : `Could not join the room: ${(err as Error).message}`
    replaceChildren(main, h('h1', {}, 'Cannot join'), h('p', { className: 'error', attrs: { role: 'alert' } }, message),
      h('p', {}, h('a', { attrs: { href: '/' }, on: { click: (e) => { e.preventDefault(); ctx.navigate('/') } } }, 'Back to the films')))
  })
  return () => {
    alive = false
    for (const fn of teardown.splice(0)) fn()
  }
}

function mountRoom (ctx: PageContext, main: HTMLElement, initial: Room, films: Map<string, Film>, teardown: Array<() => void>) {
  const session = loadSession()!
  const client = new RoomClient({
    url: ctx.config.realtimeUrl,
    roomId: initial.id,
    // Tickets live a minute: a fresh one for every (re)connect.
    ticket: async () => (await roomsApi.ticket(initial.id)).ticket
  })
  const listeners: Array<(room: Room) => void> = []
  const notice = h('p', { className: 'notice', id: 'room-notice', attrs: { role: 'alert' } })
  let noticeTimer: ReturnType<typeof setTimeout> | undefined
  const rc: RoomContext = {
    room: initial,
    client,
    films,
    myId: session.user.id,
    notify: (message) => {
      notice.textContent = message
      clearTimeout(noticeTimer)
      noticeTimer = setTimeout(() => { notice.textContent = '' }, 6000)
    },
    refreshRoom: async () => {
      try {
        rc.room = (await roomsApi.get(initial.id)).room
        for (const fn of listeners) fn(rc.room)
        if (rc.room.status !== 'active') closed(rc.room.status)
      } catch (err) {
        if (err instanceof ApiError && err.code === 'ROOM_CLOSED') closed('closed')
      }
    },
    onRoomChange: (fn) => { listeners.push(fn) }
  }

  const film = films.get(initial.film.id) ?? initial.film
  document.title = `${film.title} · Watch Together`
  const video = h('video', {
    id: 'room-video',
    attrs: { playsinline: true, preload: 'auto', 'aria-label': `Video: ${film.title}` }
  })
  // Muted by default: browsers let muted media start without a click, and remote play must start it.
  video.muted = true
  const connection = h('span', { id: 'connection-state', className: 'badge', attrs: { role: 'status' } }, 'connecting')
  const offset = h('span', { id: 'sync-offset', className: 'badge', attrs: { title: 'How far your video is from the room (positive: ahead)' } }, 'sync —')
  const controls = playerControls(rc, video, offset)
  const chat = chatPanel(rc)
  replaceChildren(main,
    h('div', { className: 'room-head' },
      h('h1', {}, film.title),
      h('div', { className: 'room-status' }, connection, offset)),
    notice,
    h('div', { className: 'room-grid' },
      h('section', { className: 'stage', attrs: { 'aria-label': 'Player' } }, h('div', { className: 'video-box' }, video), controls.element),
      h('aside', { className: 'side' },
        invitePanel(rc),
        hostPanel(rc),
        membersPanel(rc),
        chat.element)))

  let sync: MediaSync | undefined
  let isClosed = false
  const closed = (reason: string) => {
    if (isClosed) return
    isClosed = true
    stop()
    showClosed(ctx, main, initial.id, reason)
  }
  const offConnection = client.on('connection', (status, info) => {
    connection.textContent = status === 'reconnecting' && info.retryInMs !== undefined ? `reconnecting in ${Math.ceil(info.retryInMs / 1000)} s` : status
    connection.dataset.state = status
    if (status === 'closed' && info.code === 4010) closed('closed')
  })
  client.on('roomClosed', (reason) => closed(reason))
  client.on('error', (err: RoomError) => { if (err.code !== 'WT_CLOSED') rc.notify(err.message) })
  client.on('ready', (ready) => { main.dataset.controlMode = ready.controlMode })
  client.on('controlMode', (mode) => { main.dataset.controlMode = mode; rc.refreshRoom().catch(() => {}) })
  client.on('ready', (ready) => {
    // A new room starts with an empty queue: its host queues the chosen film, then the rest of the catalog.
    const state = client.state
    if (state && state.queue.length === 0 && ready.you.role === 'host') {
      const rest = [...films.keys()].filter((id) => id !== initial.film.id)
      client.replaceQueue([initial.film.id, ...rest], 0).catch(() => {})
    }
  })

  sync = attach(client, video, {
    leadMs: 300,
    onItem: (itemId) => loadItem(video, itemId ? films.get(itemId) : undefined)
  })
  client.connect().catch((err: Error) => {
    if (!isClosed) rc.notify(`Could not connect: ${err.message}`)
  })
  // room-api holds roles and the control mode; realtime does not announce host changes: ask now and then.
  const poll = setInterval(() => { rc.refreshRoom().catch(() => {}) }, 5000)

  function stop () {
    clearInterval(poll)
    clearTimeout(noticeTimer)
    offConnection()
    sync?.detach()
    sync = undefined
    controls.stop()
    chat.stop()
    client.close()
    video.pause()
    video.removeAttribute('src')
    video.load()
  }
  teardown.push(() => { if (!isClosed) stop() })
}

/** Points the video at an item's stream; resolves once its metadata (duration) is known. */
function loadItem (video: HTMLVideoElement, film: Film | undefined): Promise<void> {
  if (!film) { video.removeAttribute('src'); return Promise.resolve() }
  const url = new URL(film.streamUrl, location.href).href
  if (video.src === url) return Promise.resolve()
  return new Promise((resolve) => {
    const done = () => { video.removeEventListener('loadedmetadata', done); video.removeEventListener('error', done); resolve() }
    video.addEventListener('loadedmetadata', done)
    video.addEventListener('error', done)
    video.src = url
    video.setAttribute('aria-label', `Video: ${film.title}`)
  })
}

/** The closed-room screen: clear words, a way back, and the chat history kept readable. */
function showClosed (ctx: PageContext, main: HTMLElement, roomId: string, reason: string) {
  document.title = 'Room closed · Watch Together'
  const why: Record<string, string> = {
    host: 'The host closed the room.',
    film_ended: 'The film has ended.',
    empty: 'Everyone left, so the room was closed.',
    archived: 'This watch party is over.',
    closed: 'This watch party is over.'
  }
  const history = loadSavedChat(roomId)
  replaceChildren(main,
    h('section', { id: 'room-closed', className: 'card stack closed', attrs: { 'aria-labelledby': 'closed-title' } },
      h('h1', { id: 'closed-title' }, 'This room is closed'),
      h('p', {}, why[reason] ?? why.closed ?? ''),
      h('p', {}, h('a', { className: 'button primary', attrs: { href: '/' }, on: { click: (e) => { e.preventDefault(); ctx.navigate('/') } } }, 'Back to the films'))),
    h('section', { className: 'card stack', attrs: { 'aria-labelledby': 'history-title' } },
      h('h2', { id: 'history-title' }, 'Chat history'),
      history.length === 0
        ? h('p', { className: 'muted' }, 'No messages were kept in this browser.')
        : h('ol', { id: 'closed-history', className: 'messages' }, ...history.map((m) => h('li', { className: 'message' },
          h('span', { className: 'author' }, m.name), ' ', h('span', { className: 'text' }, m.text))))))
}
