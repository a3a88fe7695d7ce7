import { useEffect, useRef, useState } from 'preact/hooks'
import { friendProblem } from '../account-words.js'
import { type ApiError, people, type Person, type Relationship } from '../api.js'
import { formatDate, t } from '../i18n/index.js'
import { onFriendsChanged } from '../live.js'
import { linkHandler } from '../router.js'
import { useLanguage } from '../ui/hooks.js'
import { TopBar } from '../ui/top-bar.js'
import { type Act, ActButton, Confirmed, PersonLine } from './people.js'

interface Lists {
  incoming: Array<{ person: Person, at: string }>
  outgoing: Array<{ person: Person, at: string }>
  friends: Array<Person & { userId: string, since: string }>
  blocked: Array<{ person: Person, since: string }>
}
type Found = Person & { relationship: Relationship }

/** What can be done with a person, by how they relate to me. */
function Actions ({ p, relationship, act }: { p: Person, relationship: Relationship, act: Act }) {
  const name = p.displayName
  const common = { act, name }
  switch (relationship) {
    case 'none':
      return (
        <>
          <ActButton {...common} primary label={t('friends.add')} aria={t('friends.addLabel', { name })} run={() => people.request({ userId: p.id })} done={t('friends.done.request', { name })} />
          <Confirmed {...common} label={t('friends.block')} aria={t('friends.blockLabel', { name })} question={t('friends.blockYes', { name })} keep={t('friends.keep')} run={() => people.block(p.id)} done={t('friends.done.block', { name })} />
        </>
      )
    case 'request_sent':
      return (
        <>
          <span class='badge'>{t('friends.requestSent')}</span>
          <ActButton {...common} label={t('friends.cancel')} aria={t('friends.cancelLabel', { name })} run={() => people.cancel(p.id)} done={t('friends.done.cancel', { name })} />
        </>
      )
    case 'request_received':
      return (
        <>
          <ActButton {...common} primary label={t('friends.accept')} aria={t('friends.acceptLabel', { name })} run={() => people.accept(p.id)} done={t('friends.done.accept', { name })} />
          <ActButton {...common} label={t('friends.decline')} aria={t('friends.declineLabel', { name })} run={() => people.decline(p.id)} done={t('friends.done.decline', { name })} />
        </>
      )
    case 'friend':
      return <span class='badge online'>{t('friends.friendsBadge')}</span>
    case 'blocked':
      return (
        <>
          <span class='badge'>{t('friends.blockedBadge')}</span>
          <ActButton {...common} label={t('friends.unblock')} aria={t('friends.unblockLabel', { name })} run={() => people.unblock(p.id)} done={t('friends.done.unblock', { name })} />
        </>
      )
  }
}

/** Friend requests one way (to me, or mine waiting for an answer), each with the day it was sent. */
function RequestList ({ id, label, items, relationship, empty, act }: {
  id: string, label: string, items: Lists['incoming'] | undefined, relationship: Relationship, empty: string, act: Act
}) {
  return (
    <ul id={id} class='people' aria-label={label}>
      {items?.map(({ person, at }) => (
        <PersonLine key={person.id} person={person} note={t('friends.askedAt', { date: formatDate(at) })}>
          <Actions p={person} relationship={relationship} act={act} />
        </PersonLine>
      ))}
      {items?.length === 0 && <li class='muted empty'>{empty}</li>}
    </ul>
  )
}

/**
 * Friends: find people by handle or name and ask them, answer requests (accept, decline) or withdraw
 * mine, the friends list (remove, block), and the people I blocked (unblock). Friend changes pushed on
 * the user channel refresh everything at once — another person's acceptance shows without a reload.
 */
export function FriendsPage () {
  useLanguage()
  document.title = t('app.title', { page: t('friends.title') })
  const [lists, setLists] = useState<Lists | null>(null)
  const [found, setFound] = useState<{ q: string, people: Found[], more: boolean } | null>(null)
  const [searchNote, setSearchNote] = useState('')
  const [status, setStatus] = useState('')
  const r = useRef({ alive: true, asked: 0, loading: 0, lastQ: '', typing: undefined as ReturnType<typeof setTimeout> | undefined, statusTimer: undefined as ReturnType<typeof setTimeout> | undefined })
  const s = r.current

  const say = (message: string) => {
    setStatus(message)
    clearTimeout(s.statusTimer)
    s.statusTimer = setTimeout(() => { if (s.alive) setStatus('') }, 8000)
  }
  const search = (q: string) => {
    s.lastQ = q
    const mine = ++s.asked
    if (!q) { setFound(null); setSearchNote(''); return }
    people.search(q).then(({ people: list, nextOffset }) => {
      if (mine !== s.asked || !s.alive) return
      setFound({ q, people: list, more: nextOffset !== null })
      setSearchNote('')
    }, (err: ApiError) => { if (mine === s.asked && s.alive) setSearchNote(t('friends.searchFailed', { why: friendProblem(err) })) })
  }
  /** Reloads the lists; resolves with everyone in them by id (for words about a pushed change). */
  const refresh = (): Promise<Map<string, Person>> => {
    const mine = ++s.loading
    return Promise.all([people.requests(), people.friends(), people.blocks()]).then(([requests, { friends }, { blocked }]) => {
      const known = new Map<string, Person>([...requests.incoming, ...requests.outgoing, ...blocked].map(({ person }) => [person.id, person]))
      for (const f of friends) known.set(f.userId, f)
      if (!s.alive || mine !== s.loading) return known
      setLists({ incoming: requests.incoming, outgoing: requests.outgoing, friends, blocked })
      if (s.lastQ) search(s.lastQ)
      return known
    }, (err: ApiError) => {
      if (s.alive) say(t('friends.loadFailed', { why: friendProblem(err) }))
      return new Map<string, Person>()
    })
  }
  const act: Act = (run, done, name) => run().then(() => {
    say(done)
    refresh().catch(() => {})
    return true
  }, (err: ApiError) => {
    say(friendProblem(err, name))
    refresh().catch(() => {})
    return false
  })

  useEffect(() => {
    refresh().catch(() => {})
    document.getElementById('people-q')?.focus()
    // Someone asked, accepted, declined, removed: pushed on the user channel, shown at once. What
    // another person did is said (a request, an acceptance); a decline or a removal is not announced.
    let pushed: ReturnType<typeof setTimeout> | undefined
    const off = onFriendsChanged((change) => {
      clearTimeout(pushed)
      pushed = setTimeout(() => {
        refresh().then((known) => {
          const other = known.get(change.otherUserId)
          if (!s.alive || !other || change.actorId !== change.otherUserId) return
          if (change.change === 'friend.request_sent') say(t('friends.pushedRequest', { name: other.displayName, handle: other.handle }))
          if (change.change === 'friend.request_accepted') say(t('friends.pushedAccepted', { name: other.displayName }))
        }).catch(() => {})
      }, 150)
    })
    return () => {
      s.alive = false
      off()
      clearTimeout(pushed)
      clearTimeout(s.typing)
      clearTimeout(s.statusTimer)
    }
  }, [])

  const resultsNote = searchNote || (found && (found.people.length === 0
    ? t('friends.nobody', { q: found.q })
    : found.more ? t('friends.firstOnly', { count: found.people.length }) : ''))
  return (
    <>
      <TopBar />
      <main id='main' class='page friends'>
        <div class='title-row'>
          <h1>{t('friends.title')}</h1>
          <a class='button' href='/matches' onClick={linkHandler('/matches')}>{t('friends.toMatches')}</a>
        </div>
        <p id='friends-status' class='notice' role='status'>{status}</p>
        <div class='friends-grid'>
          <div class='col'>
            <section class='card stack' aria-labelledby='find-title'>
              <h2 id='find-title'>{t('friends.find')}</h2>
              <form class='inline' role='search' onSubmit={(e) => { e.preventDefault(); clearTimeout(s.typing); search((document.getElementById('people-q') as HTMLInputElement).value.trim()) }}>
                <label class='visually-hidden' for='people-q'>{t('friends.searchLabel')}</label>
                <input
                  id='people-q' type='search' name='q' maxLength={64} autocomplete='off' autocapitalize='none' spellcheck={false}
                  placeholder={t('friends.searchPlaceholder')} aria-describedby='people-hint'
                  onInput={(e) => {
                    const q = e.currentTarget.value.trim()
                    clearTimeout(s.typing)
                    s.typing = setTimeout(() => search(q), 250)
                  }}
                />
                <button type='submit'>{t('friends.search')}</button>
              </form>
              <p id='people-hint' class='muted small'>{t('friends.searchHint')}</p>
              <p class='muted small' role='status'>{resultsNote}</p>
              <ul id='people-results' class='people' aria-label={t('friends.results')}>
                {found?.people.map((p) => <PersonLine key={p.id} person={p}><Actions key={p.relationship} p={p} relationship={p.relationship} act={act} /></PersonLine>)}
              </ul>
            </section>
            <section id='requests' class='card stack' aria-labelledby='requests-title' data-incoming={lists ? String(lists.incoming.length) : undefined}>
              <h2 id='requests-title'>{t('friends.requests')}</h2>
              <h3 id='incoming-title'>{t('friends.incoming')}</h3>
              <RequestList id='incoming-requests' label={t('friends.incomingLabel')} items={lists?.incoming} relationship='request_received' empty={t('friends.noIncoming')} act={act} />
              <h3 id='outgoing-title'>{t('friends.outgoing')}</h3>
              <RequestList id='outgoing-requests' label={t('friends.outgoingLabel')} items={lists?.outgoing} relationship='request_sent' empty={t('friends.noOutgoing')} act={act} />
            </section>
          </div>
          <div class='col'>
            <section class='card stack' aria-labelledby='friends-title'>
              <h2 id='friends-title'>{t('friends.yours')}</h2>
              <p class='muted'>{lists?.friends.length === 0 ? t('friends.none') : ''}</p>
              <ul id='friends-list' class='people' aria-labelledby='friends-title'>
                {lists?.friends.map((f) => {
                  const name = f.displayName
                  return (
                    <PersonLine key={f.userId} person={f} note={t('friends.since', { date: formatDate(f.since) })}>
                      <Confirmed act={act} name={name} label={t('friends.remove')} aria={t('friends.removeLabel', { name })} question={t('friends.removeYes', { name })} keep={t('friends.keep')} run={() => people.unfriend(f.userId)} done={t('friends.done.remove', { name })} />
                      <Confirmed act={act} name={name} label={t('friends.block')} aria={t('friends.blockLabel', { name })} question={t('friends.blockYes', { name })} keep={t('friends.keep')} run={() => people.block(f.userId)} done={t('friends.done.block', { name })} />
                    </PersonLine>
                  )
                })}
              </ul>
            </section>
            <section class='card stack' aria-labelledby='blocked-title' hidden={!lists || lists.blocked.length === 0}>
              <h2 id='blocked-title'>{t('friends.blocked')}</h2>
              <p class='muted small'>{t('friends.blockedText')}</p>
              <ul id='blocked-list' class='people' aria-labelledby='blocked-title'>
                {lists?.blocked.map(({ person }) => <PersonLine key={person.id} person={person}><Actions p={person} relationship='blocked' act={act} /></PersonLine>)}
              </ul>
            </section>
          </div>
        </div>
      </main>
    </>
  )
}
