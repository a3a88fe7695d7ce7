import type { Member, Room } from '@watch-together/protocol'
import { ApiError, rooms as roomsApi } from '../api.js'
import { h, replaceChildren } from '../dom.js'
import type { RoomContext } from './room-page.js'

interface Row { userId: string, name: string, online: boolean, host: boolean, muted: boolean }

/** Words for room-api's refusals of the host's member actions. */
function describeApiError (err: unknown): string {
  if (!(err instanceof ApiError)) return (err as Error).message
  switch (err.code) {
    case 'ROOM_NOT_HOST': return 'Only the host can do that (you may no longer be the host).'
    case 'ROOM_MEMBER_NOT_FOUND':
    case 'ROOM_TARGET_NOT_PRESENT': return 'That member is no longer in the room.'
    default: return err.message
  }
}

/**
 * Members with their badges: host (room-api's role, moved by pushed host.changed frames), online
 * (realtime presence), muted, leader (the last one to act on the player) and buffering. For the
 * host, each other member has a menu: make host, mute / unmute, remove, remove and ban (confirmed).
 */
export function membersPanel (rc: RoomContext): HTMLElement {
  const { client } = rc
  const list = h('ul', { id: 'members', className: 'members' })
  const buffering = new Set<string>()
  let live: Member[] = []
  /** The member whose menu is open, and whether it asks to confirm a ban: kept across re-renders. */
  let menu: { userId: string, confirmBan: boolean } | null = null
  let shown = ''

  const rows = (): Row[] => {
    const byId = new Map<string, Row>()
    for (const m of rc.room.members) {
      if (m.leftAt) continue
      byId.set(m.userId, { userId: m.userId, name: m.name, online: false, host: m.role === 'host', muted: m.muted })
    }
    for (const m of live) {
      const known = byId.get(m.userId)
      // room-api's view (kept current by pushed frames) holds roles and mutes; a member it does not have yet comes from presence.
      byId.set(m.userId, known ? { ...known, online: m.online } : { userId: m.userId, name: m.name, online: m.online, host: m.role === 'host', muted: m.muted ?? false })
    }
    return [...byId.values()]
  }

  const act = (userId: string, call: (roomId: string) => Promise<{ room: Room }>) => {
    menu = null
    call(rc.room.id).then(({ room }) => rc.setRoom(room), (err) => { rc.notify(describeApiError(err)); render() })
    render()
  }

  const memberMenu = (m: Row) => {
    const label = `Manage ${m.name}`
    if (menu?.confirmBan) {
      return h('div', { className: 'member-menu', attrs: { role: 'group', 'aria-label': label } },
        h('p', { className: 'small' }, `Remove ${m.name} and ban them? The invite link will no longer let them in.`),
        h('button', { className: 'danger', attrs: { type: 'button' }, on: { click: () => act(m.userId, (id) => roomsApi.removeMember(id, m.userId, true)) } }, 'Yes, remove and ban'),
        h('button', { attrs: { type: 'button' }, on: { click: () => { menu = null; render() } } }, 'Cancel'))
    }
    return h('div', { className: 'member-menu', attrs: { role: 'group', 'aria-label': label } },
      h('button', { attrs: { type: 'button' }, on: { click: () => act(m.userId, (id) => roomsApi.transferHost(id, m.userId)) } }, 'Make host'),
      h('button', { attrs: { type: 'button' }, on: { click: () => act(m.userId, (id) => roomsApi.setMuted(id, m.userId, !m.muted)) } }, m.muted ? 'Unmute' : 'Mute'),
      h('button', { className: 'danger', attrs: { type: 'button' }, on: { click: () => act(m.userId, (id) => roomsApi.removeMember(id, m.userId, false)) } }, 'Remove'),
      h('button', { className: 'danger', attrs: { type: 'button' }, on: { click: () => { menu = { userId: m.userId, confirmBan: true }; render() } } }, 'Remove and ban…'))
  }

  const render = () => {
    const all = rows()
    const host = rc.isHost()
    if (menu && (!host || !all.some((m) => m.userId === menu?.userId))) menu = null
    const leader = client.state?.leaderId ?? null
    // Re-rendered on every room change: rebuild only when something shown changed (keeps focus in an open menu).
    const key = JSON.stringify([all, host, menu, leader, [...buffering]])
    if (key === shown) return
    shown = key
    replaceChildren(list, ...all.map((m) => {
      const mine = m.userId === rc.myId
      const open = menu?.userId === m.userId
      const toggle = host && !mine
        ? h('button', {
          className: 'member-actions',
          attrs: { type: 'button', 'aria-label': `Manage ${m.name}`, 'aria-expanded': String(open) },
          on: { click: () => { menu = open ? null : { userId: m.userId, confirmBan: false }; render() } }
        }, '⋯')
        : null
      return h('li', { className: 'member', attrs: { 'data-user-id': m.userId } },
        h('span', { className: `dot${m.online ? ' on' : ''}`, attrs: { 'aria-hidden': 'true' } }),
        h('span', { className: 'name' }, m.name, mine ? ' (you)' : ''),
        m.host ? h('span', { className: 'badge host' }, 'host') : null,
        h('span', { className: `badge ${m.online ? 'online' : 'offline'}` }, m.online ? 'online' : 'offline'),
        m.muted ? h('span', { className: 'badge muted', attrs: { title: 'Muted by the host: cannot chat' } }, 'muted') : null,
        leader === m.userId ? h('span', { className: 'badge leader', attrs: { title: 'Last to control the player' } }, 'leader') : null,
        buffering.has(m.userId) ? h('span', { className: 'badge buffering' }, 'buffering') : null,
        toggle,
        open ? memberMenu(m) : null)
    }))
  }

  // Escape closes an open menu, back on its button.
  list.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || !menu) return
    const userId = menu.userId
    menu = null
    render()
    list.querySelector<HTMLButtonElement>(`[data-user-id="${CSS.escape(userId)}"] .member-actions`)?.focus()
  })
  client.on('presence', (members) => { live = members; render() })
  client.on('state', render)
  client.on('buffering', ({ userId, buffering: on }) => {
    if (on) buffering.add(userId)
    else buffering.delete(userId)
    render()
  })
  rc.onRoomChange(render)
  render()
  return h('section', { className: 'card', attrs: { 'aria-labelledby': 'members-title' } }, h('h2', { id: 'members-title' }, 'In the room'), list)
}
