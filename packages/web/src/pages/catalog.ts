import type { Film } from '@watch-together/protocol'
import { type ApiError, films as filmsApi } from '../api.js'
import { h, replaceChildren } from '../dom.js'
import { takeFlash } from '../flash.js'
import type { PageContext } from '../main.js'
import { openCreateRoom } from './create-room.js'
import { siteHeader } from './header.js'
import { joinRoomBox } from './join-room.js'

/** The catalog: "Join a room" by name, posters, "Want to watch" on each film, "Watch together" (matches have their own page). */
export function renderCatalog (ctx: PageContext) {
  document.title = 'Films · Watch Together'
  const status = h('p', { className: 'notice', attrs: { role: 'status' } }, takeFlash())
  const grid = h('ul', { className: 'film-grid', attrs: { 'aria-label': 'Films' } })
  replaceChildren(ctx.root,
    siteHeader(ctx.navigate),
    h('main', { id: 'main', className: 'page' },
      h('div', { className: 'title-row' }, h('h1', {}, 'Films')),
      status,
      joinRoomBox(ctx),
      grid))

  let alive = true
  Promise.all([filmsApi.list(), filmsApi.watchlist()]).then(([list, watchlist]) => {
    if (!alive) return
    const wanted = new Set(watchlist.items.map((item) => item.film.id))
    replaceChildren(grid, ...list.films.map((film) => filmCard(film, wanted.has(film.id), ctx, status)))
    if (list.films.length === 0) status.textContent = 'The catalog is empty.'
  }, (err: ApiError) => { status.textContent = `Could not load the films: ${err.message}` })
  return () => {
    alive = false
    document.querySelector<HTMLDialogElement>('dialog#create-room')?.close()
  }
}

function filmCard (film: Film, wanted: boolean, ctx: PageContext, status: HTMLElement): HTMLElement {
  const want = h('button', {
    className: 'want',
    attrs: { type: 'button', 'aria-pressed': String(wanted), 'aria-label': `Want to watch ${film.title}` },
    on: {
      click: () => {
        const next = want.getAttribute('aria-pressed') !== 'true'
        want.disabled = true
        ;(next ? filmsApi.want(film.id) : filmsApi.unwant(film.id)).then(() => {
          want.setAttribute('aria-pressed', String(next))
          want.textContent = next ? '★ Want to watch' : '☆ Want to watch'
        }, (err: ApiError) => { status.textContent = err.message }).finally(() => { want.disabled = false })
      }
    }
  }, wanted ? '★ Want to watch' : '☆ Want to watch')

  const together = h('button', {
    className: 'primary',
    attrs: { type: 'button', 'aria-label': `Watch ${film.title} together`, 'aria-haspopup': 'dialog' },
    on: { click: () => openCreateRoom(ctx, film, together) }
  }, 'Watch together')

  const poster = film.posterUrl
    ? h('img', { className: 'poster', attrs: { src: film.posterUrl, alt: `Poster of ${film.title}`, loading: 'lazy', width: '480', height: '270' } })
    : h('div', { className: 'poster placeholder', attrs: { 'aria-hidden': 'true' } }, film.title.slice(0, 1))
  return h('li', { className: 'film card' },
    poster,
    h('div', { className: 'film-body' },
      h('h2', {}, film.title, ' ', h('span', { className: 'muted' }, film.year !== null ? `(${film.year})` : '')),
      h('p', { className: 'muted' }, film.description ?? ''),
      h('div', { className: 'actions' }, want, together)))
}
