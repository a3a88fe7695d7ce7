import type { RoomCounters } from '@watch-together/client'
import { h } from '../dom.js'
import type { RoomContext } from './room-page.js'

/** "3 here · 2 playing · 1 buffering" (buffering only when someone is). */
export function roomCountersText (c: RoomCounters): string {
  const parts = [`${c.room.online} here`, `${c.room.playing} playing`]
  if (c.room.buffering > 0) parts.push(`${c.room.buffering} buffering`)
  return parts.join(' · ')
}

/** "120 online on Watch Together · 9 watching Sintel": the whole service's connected users, and everyone watching this room's film. */
export function serviceCountersText (c: RoomCounters, filmTitle: string): string {
  return `${c.service.connectedUsers} online on Watch Together · ${c.service.filmViewers} watching ${filmTitle}`
}

/**
 * The live counters under the room's title, small and quiet (no live region: they change every few
 * seconds). Pushed by realtime (room.counters) when they change; hidden until the first push.
 */
export function roomCounters (rc: RoomContext, filmTitle: string): HTMLElement {
  const room = h('span', { id: 'room-counters', attrs: { title: 'In this room: members online, members whose video is playing, members buffering' } })
  const service = h('span', { id: 'service-counters', attrs: { title: `On Watch Together: people online now, and people watching ${filmTitle} in any room` } })
  const element = h('p', { className: 'counters muted small' }, room, service)
  element.hidden = true
  const render = (c: RoomCounters) => {
    element.hidden = false
    room.textContent = roomCountersText(c)
    room.dataset.online = String(c.room.online)
    room.dataset.playing = String(c.room.playing)
    room.dataset.buffering = String(c.room.buffering)
    service.textContent = serviceCountersText(c, filmTitle)
    service.dataset.connectedUsers = String(c.service.connectedUsers)
    service.dataset.filmViewers = String(c.service.filmViewers)
  }
  rc.client.on('counters', render)
  if (rc.client.counters) render(rc.client.counters)
  return element
}
