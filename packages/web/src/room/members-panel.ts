import type { Member } from '@watch-together/protocol'
import { h, replaceChildren } from '../dom.js'
import type { RoomContext } from './room-page.js'

/**
 * Members with their badges: host (room-api's role), online (realtime presence), leader (the
 * last one to act on the player) and buffering (their video is waiting for data).
 */
export function membersPanel (rc: RoomContext): HTMLElement {
  const { client } = rc
  const list = h('ul', { id: 'members', className: 'members' })
  const buffering = new Set<string>()
  let live: Member[] = []

  const render = () => {
    const byId = new Map<string, { name: string, online: boolean, host: boolean }>()
    for (const m of rc.room.members) {
      if (m.leftAt) continue
      byId.set(m.userId, { name: m.name, online: false, host: m.role === 'host' })
    }
    for (const m of live) {
      const known = byId.get(m.userId)
      byId.set(m.userId, { name: m.name, online: m.online, host: known ? known.host : m.role === 'host' })
    }
    const leader = client.state?.leaderId ?? null
    replaceChildren(list, ...[...byId].map(([userId, m]) => h('li', { className: 'member', attrs: { 'data-user-id': userId } },
      h('span', { className: `dot${m.online ? ' on' : ''}`, attrs: { 'aria-hidden': 'true' } }),
      h('span', { className: 'name' }, m.name, userId === rc.myId ? ' (you)' : ''),
      m.host ? h('span', { className: 'badge host' }, 'host') : null,
      h('span', { className: `badge ${m.online ? 'online' : 'offline'}` }, m.online ? 'online' : 'offline'),
      leader === userId ? h('span', { className: 'badge leader', attrs: { title: 'Last to control the player' } }, 'leader') : null,
      buffering.has(userId) ? h('span', { className: 'badge buffering' }, 'buffering') : null)))
  }

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
