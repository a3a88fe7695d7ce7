import { attach, type MediaSync, type MembershipEnded, RoomClient, type RoomError } from '@watch-together/client'
import type { Film, LeaveReason, Room, RoomMember } from '@watch-together/protocol'
import { ApiError, films as filmsApi, rooms as roomsApi } from '../api.js'
import { h, replaceChildren } from '../dom.js'
import { setFlash, takeFlash } from '../flash.js'
import type { PageContext } from '../main.js'
import { siteHeader } from '../pages/header.js'
import { loadSession } from '../session.js'
import { announcementsBar } from './announcements.js'
import { chatPanel, loadSavedChat } from './chat-panel.js'
import { roomCounters } from './counters.js'
import { hostPanel } from './host-panel.js'
import { invitePanel } from './invite-panel.js'
import { membersPanel } from './members-panel.js'
import { describeRefusal, playerControls } from './player-controls.js'

/** What the room's parts share: the room as room-api last told it, the live client, notices. */
export interface RoomContext {
  room: Room
  client: RoomClient
  films: Map<string, Film>
  myId: string
  /** Shows a message to the user (a refused command, a failed call). */
  notify: (message: string) => void
  /** Takes a room room-api returned (after an action of ours) and re-renders what depends on it. */
  setRoom: (room: Room) => void
  /** Refreshes `room` from room-api (roles, control mode, status) and re-renders what depends on it. */
  refreshRoom: () => Promise<void>
  onRoomChange: (fn: (room: Room) => void) => void
  /** Whether this user hosts the room now (room-api's role, kept current by pushed host.changed frames). */
  isHost: () => boolean
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
    if (err instanceof ApiError && err.code === 'ROOM_BANNED') return showGone(ctx, main, 'banned-invite')
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
    // Tickets live a minute: a fresh one for every (re)connect. A membership that ended meanwhile
    // (room-api no longer gives a ticket) ends the page instead of retrying for ever.
    ticket: async () => {
      try {
        return (await roomsApi.ticket(initial.id)).ticket
      } catch (err) {
        if (err instanceof ApiError && err.code === 'ROOM_CLOSED') closed('closed')
        if (err instanceof ApiError && err.code === 'ROOM_NOT_MEMBER') ended(null)
        throw err
      }
    }
  })
  const listeners: Array<(room: Room) => void> = []
  const notice = h('p', { className: 'notice', id: 'room-notice', attrs: { role: 'alert' } })
  let noticeTimer: ReturnType<typeof setTimeout> | undefined
  /** Set once the page left the room (closed, membership ended, left): nothing re-renders it after. */
  let isClosed = false
  let leaving = false
  // Every change of `room` counts: a refresh answered after a newer change (or refresh) began is dropped.
  let generation = 0
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
    setRoom: (room) => {
      generation++
      rc.room = room
      for (const fn of listeners) fn(room)
      if (room.status !== 'active') closed(room.status)
    },
    refreshRoom: async () => {
      const mine = ++generation
      try {
        const { room } = await roomsApi.get(initial.id)
        if (mine === generation && !isClosed) rc.setRoom(room)
      } catch (err) {
        if (err instanceof ApiError && err.code === 'ROOM_CLOSED') closed('closed')
      }
    },
    onRoomChange: (fn) => { listeners.push(fn) },
    isHost: () => rc.room.members.some((m) => m.userId === rc.myId && m.role === 'host' && !m.leftAt)
  }
  /**
   * A pushed change: applied to the room at once (nobody waits for a round trip), then room-api is
   * asked once for the whole truth (names of members who never connected, anything missed).
   */
  const pushed = (change: (members: RoomMember[]) => RoomMember[], extra: Partial<Room> = {}) => {
    rc.setRoom({ ...rc.room, ...extra, members: change(rc.room.members) })
    rc.refreshRoom().catch(() => {})
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
  const counters = roomCounters(rc, film.title)
  const announcements = announcementsBar(rc, () => controls.element.querySelector<HTMLElement>('#play-pause'))
  const leave = leaveControl(async () => {
    leaving = true
    try {
      await roomsApi.leave(initial.id)
    } catch (err) {
      leaving = false
      // Out already (the host removed us meanwhile) or the room closed: that screen, not an error.
      if (client.ended) return ended(client.ended)
      if (err instanceof ApiError && err.code === 'ROOM_CLOSED') return closed('closed')
      throw err
    }
    if (isClosed) return
    isClosed = true
    stop()
    setFlash(`You left the room (${film.title}).`)
    ctx.navigate('/')
  }, (err) => rc.notify(`Could not leave: ${(err as Error).message}`))
  replaceChildren(main,
    h('div', { className: 'room-head' },
      h('div', { className: 'room-title' },
        h('h1', {}, film.title, initial.name
          ? h('span', { id: 'room-name-heading', className: 'room-name' }, h('span', { className: 'visually-hidden' }, ', room '), initial.name)
          : null),
        counters),
      h('div', { className: 'room-status' }, connection, offset, leave)),
    announcements,
    notice,
    h('div', { className: 'room-grid' },
      h('section', { className: 'stage', attrs: { 'aria-label': 'Player' } }, h('div', { className: 'video-box' }, video), controls.element),
      h('aside', { className: 'side' },
        invitePanel(rc),
        hostPanel(rc),
        membersPanel(rc),
        chat.element)))

  let sync: MediaSync | undefined
  const closed = (reason: string) => {
    if (isClosed) return
    isClosed = true
    stop()
    showClosed(ctx, main, initial.id, reason)
  }
  /** This user's membership ended elsewhere (the host, another tab): say why, offer the way back. */
  const ended = (why: MembershipEnded | null) => {
    if (isClosed || leaving) return
    isClosed = true
    stop()
    showGone(ctx, main, why?.reason ?? 'gone')
  }
  const offConnection = client.on('connection', (status, info) => {
    connection.textContent = status === 'reconnecting' && info.retryInMs !== undefined ? `reconnecting in ${Math.ceil(info.retryInMs / 1000)} s` : status
    connection.dataset.state = status
    if (status === 'closed' && info.code === 4010) closed('closed')
  })
  client.on('roomClosed', (reason) => closed(reason))
  client.on('membershipEnded', ended)
  client.on('error', (err: RoomError) => { if (err.code !== 'WT_CLOSED') rc.notify(describeRefusal(err)) })
  client.on('ready', (ready) => {
    main.dataset.controlMode = ready.controlMode
    // Changes while away are in the snapshot; room-api's view is asked once to match it.
    rc.refreshRoom().catch(() => {})
    // The server queues the room's film; "next film" still offers the rest of the catalog, appended
    // once by the host (never a replace: the queue is the server's).
    const state = client.state
    const rest = [...films.keys()].filter((id) => id !== initial.film.id)
    if (client.isHost() && state?.queue.length === 1 && state.queue[0] === initial.film.id && rest.length > 0) {
      client.appendQueue(rest).catch(() => {})
    }
  })
  // Roles, members, mute and the control mode arrive as frames: nothing polls room-api.
  client.on('controlMode', (mode) => { main.dataset.controlMode = mode; pushed((members) => members, { controlMode: mode }) })
  client.on('memberLeft', ({ userId }) => {
    const leftAt = new Date().toISOString()
    pushed((members) => members.map((m) => m.userId === userId ? { ...m, leftAt } : m))
  })
  client.on('hostChanged', ({ toUserId }) => {
    pushed((members) => members.map((m) => ({ ...m, role: m.userId === toUserId ? 'host' : 'guest' })), { hostId: toUserId })
    if (toUserId === rc.myId) rc.notify('You are the host now.')
  })
  client.on('muteChanged', ({ userId, muted }) => {
    pushed((members) => members.map((m) => m.userId === userId ? { ...m, muted } : m))
  })
  client.on('presence', (_members, change) => {
    // Someone room-api's view does not have yet (a new guest): ask for it once.
    if (change?.kind !== 'joined') return
    if (!rc.room.members.some((m) => m.userId === change.member.userId && !m.leftAt)) rc.refreshRoom().catch(() => {})
  })

  sync = attach(client, video, {
    leadMs: 300,
    onItem: (itemId) => loadItem(video, itemId ? films.get(itemId) : undefined)
  })
  client.connect().catch((err: Error) => {
    if (!isClosed) rc.notify(`Could not connect: ${err.message}`)
  })
  // What the page before wants said here (e.g. "Invited Petr…" after Watch together on a match).
  const flash = takeFlash()
  if (flash) rc.notify(flash)

  function stop () {
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
          h('span', { className: 'author' }, m.name), ' ',
          m.deleted ? h('span', { className: 'text deleted' }, 'message deleted') : h('span', { className: 'text' }, m.text))))))
}

/** "Leave room…" then "Yes, leave": two steps, like closing the room, so one stray click ends nothing. */
function leaveControl (leave: () => Promise<void>, fail: (err: unknown) => void): HTMLElement {
  const ask = (asking: boolean) => {
    start.hidden = asking
    confirm.hidden = !asking
    cancel.hidden = !asking
    start.setAttribute('aria-expanded', String(asking))
    ;(asking ? confirm : start).focus()
  }
  const start = h('button', { id: 'leave-room', attrs: { type: 'button', 'aria-expanded': 'false' }, on: { click: () => ask(true) } }, 'Leave room…')
  const confirm = h('button', {
    id: 'confirm-leave',
    className: 'danger',
    attrs: { type: 'button' },
    on: { click: () => { confirm.disabled = true; leave().catch(fail).finally(() => { confirm.disabled = false }) } }
  }, 'Yes, leave')
  const cancel = h('button', { attrs: { type: 'button' }, on: { click: () => ask(false) } }, 'Stay')
  confirm.hidden = true
  cancel.hidden = true
  return h('span', { className: 'leave actions' }, start, confirm, cancel)
}

export type GoneReason = LeaveReason | 'gone' | 'banned-invite'
const GONE: Record<GoneReason, { title: string, text: string }> = {
  left: { title: 'You left the room', text: 'You left this watch party (here or in another tab). Open the invite link again to come back.' },
  removed: { title: 'The host removed you from the room', text: 'You are no longer in this watch party. If the host sends you the invite link again, you can come back.' },
  banned: { title: 'The host removed you from the room and banned you', text: 'The invite link will not let you back into this room.' },
  gone: { title: 'You are no longer in this room', text: 'Your place in this watch party has ended.' },
  'banned-invite': { title: 'The host removed you from this room', text: 'You cannot join it again: the host banned you, so its invite link no longer lets you in.' }
}

/** Why this user is not (or no longer) in the room, in plain words, and the way back to the films. */
function showGone (ctx: PageContext, main: HTMLElement, reason: GoneReason) {
  const { title, text } = GONE[reason]
  document.title = `${title} · Watch Together`
  replaceChildren(main,
    h('section', { id: 'room-gone', className: 'card stack closed', attrs: { 'aria-labelledby': 'gone-title', 'data-reason': reason } },
      h('h1', { id: 'gone-title' }, title),
      h('p', {}, text),
      h('p', {}, h('a', { className: 'button primary', attrs: { href: '/' }, on: { click: (e) => { e.preventDefault(); ctx.navigate('/') } } }, 'Back to the films'))))
}
