import { ApiError, rooms as roomsApi } from '../api.js'
import { h, replaceChildren } from '../dom.js'
import type { RoomContext } from './room-page.js'

/**
 * Host-only: lock the controls and close the room (two steps). Handing the host role over and
 * moderating are in each member's menu (members-panel.ts). Guests see when the controls are locked.
 */
export function hostPanel (rc: RoomContext): HTMLElement {
  const section = h('section', { id: 'host-controls', className: 'card stack', attrs: { 'aria-labelledby': 'host-title' } })
  const fail = (err: ApiError) => rc.notify(err.message)

  let shown = ''
  const render = () => {
    // Every room change calls this: rebuild only when something shown here changed (keeps focus and the close step).
    const key = JSON.stringify([rc.room.controlMode, rc.isHost()])
    if (key === shown) return
    shown = key
    const locked = rc.room.controlMode === 'host_only'
    if (!rc.isHost()) {
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
            .then(({ room }) => rc.setRoom(room), fail).finally(() => { lock.disabled = false })
        }
      }
    }, locked ? '🔒 Controls locked (unlock)' : '🔓 Lock controls')

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

    replaceChildren(section, h('h2', { id: 'host-title' }, 'Host controls'), lock,
      h('p', { className: 'muted small' }, 'To hand over the host role, mute or remove someone, use ⋯ next to their name.'),
      h('div', { className: 'actions' }, close, confirm))
  }
  rc.onRoomChange(render)
  render()
  return section
}
