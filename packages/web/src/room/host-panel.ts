import { ApiError, rooms as roomsApi } from '../api.js'
import { h, replaceChildren } from '../dom.js'
import type { RoomContext } from './room-page.js'

/** Host-only: lock the controls, hand the host role to someone present, close the room (two steps). */
export function hostPanel (rc: RoomContext): HTMLElement {
  const section = h('section', { id: 'host-controls', className: 'card stack', attrs: { 'aria-labelledby': 'host-title' } })
  const fail = (err: ApiError) => rc.notify(err.message)

  let shown = ''
  const render = () => {
    // The room is polled: rebuild only when something shown here changed (keeps focus and the close step).
    const key = JSON.stringify([rc.room.controlMode, rc.room.members.map((m) => [m.userId, m.role, m.leftAt])])
    if (key === shown) return
    shown = key
    const me = rc.room.members.find((m) => m.userId === rc.myId && !m.leftAt)
    const locked = rc.room.controlMode === 'host_only'
    if (me?.role !== 'host') {
      section.hidden = !locked
      replaceChildren(section, h('h2', { id: 'host-title' }, 'Controls locked'),
        h('p', { className: 'muted' }, 'The host has locked playback: only the host can play, pause or seek. Chat stays open.'))
      return
    }
    section.hidden = false
    const lock = h('button', {
      id: 'lock-controls',
      attrs: { type: 'button', 'aria-pressed': String(locked) },
      on: {
        click: () => {
          lock.disabled = true
          roomsApi.setControlMode(rc.room.id, locked ? 'everyone' : 'host_only')
            .then(({ room }) => { rc.room = room; render() }, fail).finally(() => { lock.disabled = false })
        }
      }
    }, locked ? '🔒 Controls locked (unlock)' : '🔓 Lock controls')

    const others = rc.room.members.filter((m) => m.userId !== rc.myId && !m.leftAt)
    const select = h('select', { id: 'new-host', attrs: { name: 'host' } },
      ...others.map((m) => { const o = h('option', {}, m.name); o.value = m.userId; return o }))
    const transfer = h('form', {
      className: 'inline',
      on: {
        submit: (e) => {
          e.preventDefault()
          if (!select.value) return
          roomsApi.transferHost(rc.room.id, select.value).then(({ room }) => { rc.room = room; render() }, fail)
        }
      }
    }, h('label', { attrs: { for: 'new-host' } }, 'Make host'), select, h('button', { attrs: { type: 'submit', disabled: others.length === 0 } }, 'Transfer'))

    const confirm = h('button', {
      id: 'confirm-close',
      className: 'danger',
      attrs: { type: 'button' },
      on: { click: () => { roomsApi.close(rc.room.id).then(() => { rc.refreshRoom().catch(() => {}) }, fail) } }
    }, 'Yes, close it for everyone')
    confirm.hidden = true
    const close = h('button', {
      id: 'close-room',
      className: 'danger',
      attrs: { type: 'button', 'aria-expanded': 'false' },
      on: { click: () => { confirm.hidden = false; close.setAttribute('aria-expanded', 'true'); confirm.focus() } }
    }, 'Close room…')

    replaceChildren(section, h('h2', { id: 'host-title' }, 'Host controls'), lock, transfer, h('div', { className: 'actions' }, close, confirm))
  }
  rc.onRoomChange(render)
  render()
  return section
}
