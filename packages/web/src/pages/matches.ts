import { ApiError, films as filmsApi } from '../api.js'
import { h, replaceChildren } from '../dom.js'

export type MatchesPanel = HTMLElement & { refresh: () => void }

/**
 * "Friends' matches": films on my list that friends want too, with who. room-api knows friends
 * by user id only, so those ids are what is shown; a small form adds a friend by id.
 */
export function matchesPanel (myId: string): MatchesPanel {
  const list = h('ul', { className: 'matches' })
  const note = h('p', { className: 'muted', attrs: { role: 'status' } })
  const friendInput = h('input', { id: 'friend-id', attrs: { name: 'friend', required: true, autocomplete: 'off' } })
  const form = h('form', {
    className: 'inline',
    on: {
      submit: (event) => {
        event.preventDefault()
        const id = friendInput.value.trim()
        if (!id) return
        filmsApi.befriend(id).then(() => { friendInput.value = ''; panel.refresh() }, (err: ApiError) => { note.textContent = err.message })
      }
    }
  }, h('label', { attrs: { for: 'friend-id' } }, 'Add a friend by user id'), friendInput, h('button', { attrs: { type: 'submit' } }, 'Add'))

  const panel = h('section', { id: 'matches', className: 'card stack', attrs: { 'aria-label': "Friends' matches" } },
    h('h2', {}, 'Films you and your friends want to watch'),
    note, list, form,
    h('p', { className: 'muted' }, 'Your user id (give it to friends): ', h('code', {}, myId))) as MatchesPanel
  panel.hidden = true
  panel.refresh = () => {
    note.textContent = 'Loading…'
    filmsApi.matches().then(({ matches }) => {
      note.textContent = matches.length === 0 ? 'No matches yet: mark films with "Want to watch" and add friends.' : ''
      replaceChildren(list, ...matches.map((m) => h('li', {},
        h('strong', {}, m.film.title), ` — ${m.count} ${m.count === 1 ? 'friend' : 'friends'}: `,
        m.friendIds.join(', '))))
    }, (err: ApiError) => { note.textContent = `Could not load matches: ${err.message}` })
  }
  return panel
}
