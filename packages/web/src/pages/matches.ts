import { friendProblem } from '../account-words.js'
import { ApiError, films as filmsApi, type Match, type Person, rooms as roomsApi } from '../api.js'
import { h, replaceChildren } from '../dom.js'
import { setFlash } from '../flash.js'
import { onFriendsChanged } from '../live.js'
import type { PageContext } from '../main.js'
import { linkHandler } from '../router.js'
import { alreadyHosting, LAST_ROOM_KEY } from './create-room.js'
import { avatar, siteHeader } from './header.js'

/** "Petr", "Petr and Anna", "Petr, Anna and Ivan", "Petr, Anna and 3 more". */
export function namesText (names: string[], total = names.length): string {
  const shown = names.slice(0, total > 3 ? 2 : 3)
  const more = total - shown.length
  if (more > 0) return `${shown.join(', ')} and ${more} more`
  if (shown.length <= 1) return shown[0] ?? ''
  return `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}`
}

/**
 * Matches: films on my list that friends want too, most friends first, with their names and pictures.
 * "Watch together" creates a room for the film, invites those friends (each gets a live invitation)
 * and goes into the room.
 */
export function renderMatches (ctx: PageContext) {
  document.title = 'Matches · Watch Together'
  const status = h('p', { id: 'matches-status', className: 'notice', attrs: { role: 'status' } })
  const list = h('ul', { id: 'matches', className: 'match-list', attrs: { 'aria-label': 'Films you and friends want' } })
  const note = h('p', { className: 'muted' }, 'Loading…')
  replaceChildren(ctx.root, siteHeader(ctx.navigate),
    h('main', { id: 'main', className: 'page matches-page' },
      h('h1', {}, 'Matches'),
      h('p', { className: 'muted' }, 'Films you and your friends both want to watch. Start one and your friends get an invitation at once.'),
      status, note, list))

  let alive = true
  let asked = 0
  const refresh = () => {
    const mine = ++asked
    filmsApi.matches().then(({ matches }) => {
      if (!alive || mine !== asked) return
      replaceChildren(note, ...(matches.length === 0
        ? ['No matches yet. Mark films with ☆ Want to watch on ',
            h('a', { attrs: { href: '/' }, on: { click: linkHandler('/') } }, 'Films'), ' and add friends on ',
            h('a', { attrs: { href: '/friends' }, on: { click: linkHandler('/friends') } }, 'Friends'),
            ': films you both want show up here.']
        : []))
      replaceChildren(list, ...matches.map((m) => matchCard(ctx, m, status)))
    }, (err: ApiError) => { if (alive) note.textContent = `Could not load matches: ${friendProblem(err)}` })
  }
  refresh()
  // A friend accepted or left: the matches change with them.
  const off = onFriendsChanged(() => refresh())
  return () => { alive = false; off() }
}

function matchCard (ctx: PageContext, m: Match, status: HTMLElement): HTMLElement {
  const names = m.friends.map((f) => f.displayName)
  const who = namesText(names, m.count)
  const together = h('button', {
    className: 'primary',
    attrs: { type: 'button', 'aria-label': `Watch ${m.film.title} together with ${who}` },
    on: { click: () => { watchTogether(ctx, m, together, status).catch(() => {}) } }
  }, 'Watch together')
  const poster = m.film.posterUrl
    ? h('img', { className: 'match-poster', attrs: { src: m.film.posterUrl, alt: '', width: '160', height: '90', loading: 'lazy' } })
    : h('div', { className: 'match-poster placeholder', attrs: { 'aria-hidden': 'true' } }, m.film.title.slice(0, 1))
  return h('li', { className: 'match card', attrs: { 'data-film-id': m.film.id } },
    poster,
    h('div', { className: 'match-body' },
      h('h2', {}, m.film.title, ' ', h('span', { className: 'muted' }, m.film.year !== null ? `(${m.film.year})` : '')),
      h('p', { className: 'match-who' }, `${who} ${m.count === 1 ? 'wants' : 'want'} to watch it too.`),
      h('ul', { className: 'friend-chips', attrs: { 'aria-label': `Friends who want ${m.film.title}` } },
        ...m.friends.slice(0, 8).map((f) => friendChip(f)),
        m.count > Math.min(8, m.friends.length) ? h('li', { className: 'chip more' }, `+${m.count - Math.min(8, m.friends.length)}`) : null),
      h('div', { className: 'actions' }, together)))
}

function friendChip (f: Person): HTMLElement {
  return h('li', { className: 'chip', attrs: { title: `@${f.handle}` } }, avatar(f.avatarUrl), h('span', {}, f.displayName))
}

/** Creates the room, invites the match's friends (room-api lets only friends be invited), goes in. */
async function watchTogether (ctx: PageContext, m: Match, button: HTMLButtonElement, status: HTMLElement) {
  button.disabled = true
  status.textContent = ''
  let roomId: string
  try {
    const { room, link } = await roomsApi.create(m.film.id)
    localStorage.setItem(LAST_ROOM_KEY, JSON.stringify({ roomId: room.id, link }))
    roomId = room.id
  } catch (err) {
    button.disabled = false
    if (err instanceof ApiError && err.code === 'ROOM_ALREADY_ACTIVE') return replaceChildren(status, alreadyHosting(ctx))
    status.textContent = `Could not start the room: ${err instanceof ApiError ? friendProblem(err) : (err as Error).message}`
    return
  }
  const ids = m.friends.map((f) => f.id).slice(0, 50)
  const names = m.friends.map((f) => f.displayName)
  try {
    const { invited } = await roomsApi.invite(roomId, ids)
    const invitedNames = m.friends.filter((f) => invited.includes(f.id)).map((f) => f.displayName)
    setFlash(invitedNames.length > 0
      ? `Invited ${namesText(invitedNames)}: they get a notice to join you.`
      : 'Nobody could be invited, but the invite link below works for anyone.')
  } catch (err) {
    // The room exists either way: go in, and say what went wrong there.
    setFlash(`The room is ready, but the invitations did not go out: ${err instanceof ApiError ? friendProblem(err, namesText(names)) : (err as Error).message} Share the invite link instead.`)
  }
  ctx.navigate(`/rooms/${roomId}`)
}
