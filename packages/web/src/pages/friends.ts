import { friendProblem } from '../account-words.js'
import { ApiError, people, type Person, type Relationship } from '../api.js'
import { h, replaceChildren } from '../dom.js'
import { onFriendsChanged } from '../live.js'
import type { PageContext } from '../main.js'
import { linkHandler } from '../router.js'
import { avatar, siteHeader } from './header.js'

/** A person on a line: picture, name, @handle; then what can be done. */
export function personLine (person: Person, ...actions: Array<Node | string | null>): HTMLLIElement {
  return h('li', { className: 'person', attrs: { 'data-user-id': person.id, 'data-handle': person.handle } },
    avatar(person.avatarUrl, 'medium'),
    h('span', { className: 'person-names' }, h('strong', { className: 'person-name' }, person.displayName), h('span', { className: 'muted handle' }, `@${person.handle}`)),
    h('span', { className: 'person-actions' }, ...actions))
}

/**
 * Friends: find people by handle or name and ask them, answer requests (accept, decline) or withdraw
 * mine, the friends list (remove, block), and the people I blocked (unblock). Friend changes pushed on
 * the user channel refresh everything at once — another person's acceptance shows without a reload.
 */
export function renderFriends (ctx: PageContext) {
  document.title = 'Friends · Watch Together'
  const status = h('p', { id: 'friends-status', className: 'notice', attrs: { role: 'status' } })
  let statusTimer: ReturnType<typeof setTimeout> | undefined
  const say = (message: string) => {
    status.textContent = message
    clearTimeout(statusTimer)
    statusTimer = setTimeout(() => { status.textContent = '' }, 8000)
  }

  // ---- find people ----
  const query = h('input', {
    id: 'people-q',
    attrs: { type: 'search', name: 'q', maxlength: '64', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', placeholder: '@handle or name', 'aria-describedby': 'people-hint' }
  })
  const results = h('ul', { id: 'people-results', className: 'people', attrs: { 'aria-label': 'People found' } })
  const resultsNote = h('p', { className: 'muted small', attrs: { role: 'status' } })
  let asked = 0
  let lastQ = ''
  const search = (q: string) => {
    lastQ = q
    const mine = ++asked
    if (!q) { replaceChildren(results); resultsNote.textContent = ''; return }
    people.search(q).then(({ people: found, nextOffset }) => {
      if (mine !== asked) return
      replaceChildren(results, ...found.map((p) => personLine(p, ...relationshipActions(p, p.relationship))))
      resultsNote.textContent = found.length === 0
        ? `Nobody found for “${q}”. Ask your friend for their handle (it is on their profile page).`
        : nextOffset !== null ? `The first ${found.length} people: type more to narrow it down.` : ''
    }, (err: ApiError) => { if (mine === asked) resultsNote.textContent = `Could not search: ${friendProblem(err)}` })
  }
  let typing: ReturnType<typeof setTimeout> | undefined
  query.addEventListener('input', () => {
    clearTimeout(typing)
    typing = setTimeout(() => search(query.value.trim()), 250)
  })
  const finder = h('section', { className: 'card stack', attrs: { 'aria-labelledby': 'find-title' } },
    h('h2', { id: 'find-title' }, 'Find people'),
    h('form', {
      className: 'inline',
      attrs: { role: 'search' },
      on: { submit: (event) => { event.preventDefault(); clearTimeout(typing); search(query.value.trim()) } }
    },
    h('label', { className: 'visually-hidden', attrs: { for: 'people-q' } }, 'Search by handle or name'),
    query,
    h('button', { attrs: { type: 'submit' } }, 'Search')),
    h('p', { id: 'people-hint', className: 'muted small' }, 'Type the start of a handle (like @vasily) or a name. Emails are never searched.'),
    resultsNote,
    results)

  // ---- requests, friends, blocked ----
  const incoming = h('ul', { id: 'incoming-requests', className: 'people', attrs: { 'aria-label': 'Requests to you' } })
  const outgoing = h('ul', { id: 'outgoing-requests', className: 'people', attrs: { 'aria-label': 'Your requests' } })
  const requestsCard = h('section', { id: 'requests', className: 'card stack', attrs: { 'aria-labelledby': 'requests-title' } },
    h('h2', { id: 'requests-title' }, 'Friend requests'),
    h('h3', { id: 'incoming-title' }, 'To you'), incoming,
    h('h3', { id: 'outgoing-title' }, 'Sent by you, waiting for an answer'), outgoing)
  const friendsList = h('ul', { id: 'friends-list', className: 'people', attrs: { 'aria-labelledby': 'friends-title' } })
  const friendsNote = h('p', { className: 'muted' })
  const blockedList = h('ul', { id: 'blocked-list', className: 'people', attrs: { 'aria-labelledby': 'blocked-title' } })
  const blockedCard = h('section', { className: 'card stack', attrs: { 'aria-labelledby': 'blocked-title' } },
    h('h2', { id: 'blocked-title' }, 'Blocked'),
    h('p', { className: 'muted small' }, 'They cannot find you, ask you or invite you.'),
    blockedList)

  /** Runs a friends action, says what happened, and refreshes everything. */
  const act = (button: HTMLButtonElement, run: () => Promise<unknown>, done: string, name: string) => {
    button.disabled = true
    run().then(() => { say(done); refresh().catch(() => {}) }, (err: ApiError) => {
      button.disabled = false
      say(friendProblem(err, name))
      refresh().catch(() => {})
    })
  }
  const button = (label: string, onClick: (self: HTMLButtonElement) => void, opts: { className?: string, aria?: string } = {}) => {
    const el: HTMLButtonElement = h('button', {
      ...(opts.className ? { className: opts.className } : {}),
      attrs: { type: 'button', ...(opts.aria ? { 'aria-label': opts.aria } : {}) },
      on: { click: () => onClick(el) }
    }, label)
    return el
  }
  /** Two steps for what cannot be undone by one click: "Remove" → "Yes, remove Petr" / "Keep". */
  const confirmed = (label: string, question: string, run: (self: HTMLButtonElement) => void, aria: string) => {
    const wrap = h('span', { className: 'confirm' })
    const first = button(label, () => {
      const yes = button(question, (self) => run(self), { className: 'danger' })
      const no = button('Keep', () => { replaceChildren(wrap, first); first.focus() })
      replaceChildren(wrap, yes, no)
      yes.focus()
    }, { aria })
    wrap.append(first)
    return wrap
  }

  function relationshipActions (p: Person, relationship: Relationship): Array<Node | null> {
    const name = p.displayName
    switch (relationship) {
      case 'none':
        return [
          button('Add friend', (b) => act(b, () => people.request({ userId: p.id }), `Friend request sent to ${name}.`, name), { className: 'primary', aria: `Add friend ${name}` }),
          confirmed('Block', `Yes, block ${name}`, (b) => act(b, () => people.block(p.id), `You blocked ${name}.`, name), `Block ${name}`)
        ]
      case 'request_sent':
        return [h('span', { className: 'badge' }, 'Request sent'),
          button('Cancel request', (b) => act(b, () => people.cancel(p.id), `You withdrew your request to ${name}.`, name), { aria: `Cancel request to ${name}` })]
      case 'request_received':
        return [
          button('Accept', (b) => act(b, () => people.accept(p.id), `You and ${name} are friends now.`, name), { className: 'primary', aria: `Accept ${name}’s friend request` }),
          button('Decline', (b) => act(b, () => people.decline(p.id), `You declined ${name}’s request.`, name), { aria: `Decline ${name}’s friend request` })
        ]
      case 'friend':
        return [h('span', { className: 'badge online' }, 'Friends')]
      case 'blocked':
        return [h('span', { className: 'badge' }, 'Blocked'),
          button('Unblock', (b) => act(b, () => people.unblock(p.id), `You unblocked ${name}.`, name), { aria: `Unblock ${name}` })]
    }
  }

  let alive = true
  let loading = 0
  /** Reloads the lists; resolves with everyone in them by id (for words about a pushed change). */
  const refresh = (): Promise<Map<string, Person>> => {
    const mine = ++loading
    return Promise.all([people.requests(), people.friends(), people.blocks()]).then(([requests, { friends }, { blocked }]) => {
      const known = new Map<string, Person>([...requests.incoming, ...requests.outgoing, ...blocked].map(({ person }) => [person.id, person]))
      for (const f of friends) known.set(f.userId, f)
      if (!alive || mine !== loading) return known
      replaceChildren(incoming, ...requests.incoming.map(({ person }) => personLine(person, ...relationshipActions(person, 'request_received'))))
      if (requests.incoming.length === 0) incoming.append(h('li', { className: 'muted empty' }, 'No requests to you.'))
      replaceChildren(outgoing, ...requests.outgoing.map(({ person }) => personLine(person, ...relationshipActions(person, 'request_sent'))))
      if (requests.outgoing.length === 0) outgoing.append(h('li', { className: 'muted empty' }, 'None.'))
      replaceChildren(friendsList, ...friends.map((f) => personLine(f,
        confirmed('Remove', `Yes, remove ${f.displayName}`, (b) => act(b, () => people.unfriend(f.userId), `${f.displayName} is no longer your friend.`, f.displayName), `Remove ${f.displayName} from friends`),
        confirmed('Block', `Yes, block ${f.displayName}`, (b) => act(b, () => people.block(f.userId), `You blocked ${f.displayName}.`, f.displayName), `Block ${f.displayName}`))))
      friendsNote.textContent = friends.length === 0 ? 'No friends yet: find people by their handle or name and send a request. Once they accept, films you both want show under Matches.' : ''
      replaceChildren(blockedList, ...blocked.map(({ person }) => personLine(person, ...relationshipActions(person, 'blocked'))))
      blockedCard.hidden = blocked.length === 0
      requestsCard.dataset.incoming = String(requests.incoming.length)
      if (lastQ) search(lastQ)
      return known
    }, (err: ApiError) => {
      if (alive) say(`Could not load your friends: ${friendProblem(err)}`)
      return new Map<string, Person>()
    })
  }

  replaceChildren(ctx.root, siteHeader(ctx.navigate),
    h('main', { id: 'main', className: 'page friends' },
      h('div', { className: 'title-row' }, h('h1', {}, 'Friends'),
        h('a', { className: 'button', attrs: { href: '/matches' }, on: { click: linkHandler('/matches') } }, 'Films you both want →')),
      status,
      h('div', { className: 'friends-grid' },
        h('div', { className: 'col' }, finder, requestsCard),
        h('div', { className: 'col' },
          h('section', { className: 'card stack', attrs: { 'aria-labelledby': 'friends-title' } },
            h('h2', { id: 'friends-title' }, 'Your friends'), friendsNote, friendsList),
          blockedCard))))
  blockedCard.hidden = true
  refresh().catch(() => {})
  // Someone asked, accepted, declined, removed: pushed on the user channel, shown at once. What
  // another person did is said (a request, an acceptance); a decline or a removal is not announced.
  let pushed: ReturnType<typeof setTimeout> | undefined
  const off = onFriendsChanged((change) => {
    clearTimeout(pushed)
    pushed = setTimeout(() => {
      refresh().then((known) => {
        const other = known.get(change.otherUserId)
        if (!alive || !other || change.actorId !== change.otherUserId) return
        if (change.change === 'friend.request_sent') say(`${other.displayName} (@${other.handle}) wants to be friends.`)
        if (change.change === 'friend.request_accepted') say(`${other.displayName} accepted your friend request: you are friends now.`)
      }).catch(() => {})
    }, 150)
  })
  query.focus()
  return () => {
    alive = false
    off()
    clearTimeout(pushed)
    clearTimeout(typing)
    clearTimeout(statusTimer)
  }
}
