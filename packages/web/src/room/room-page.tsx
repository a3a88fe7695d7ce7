import type { Film } from '@watch-together/protocol'
import { useEffect, useState } from 'preact/hooks'
import { ApiError, films as filmsApi, rooms as roomsApi } from '../api.js'
import { setFlash, takeFlash } from '../flash.js'
import { errorText, t } from '../i18n/index.js'
import { loadSession } from '../session.js'
import { useLanguage, useStore } from '../ui/hooks.js'
import { Problem } from '../ui/problem.js'
import { TopBar } from '../ui/top-bar.js'
import { ClosedRoom, Gone } from './closed.js'
import { RoomView } from './room-view.js'
import { RoomSession } from './session.js'

type Phase =
  | { kind: 'joining' }
  | { kind: 'problem', code: string, error: unknown }
  | { kind: 'closed', reason: string }
  | { kind: 'banned' }
  | { kind: 'live', session: RoomSession }

/**
 * /rooms/:id(?code=…): joins (by the invite code when the link had one), then the live room; a bad,
 * unknown or closed link gets a styled page in words with the way back.
 */
export function RoomPage ({ roomId, code, realtimeUrl, navigate }: { roomId: string, code: string | null, realtimeUrl: string, navigate: (path: string) => void }) {
  useLanguage()
  const [phase, setPhase] = useState<Phase>({ kind: 'joining' })
  useEffect(() => {
    document.title = t('app.title', { page: t('room.joining') })
    let alive = true
    let session: RoomSession | undefined
    Promise.all([code ? roomsApi.joinByCode(code) : roomsApi.join(roomId), filmsApi.list()]).then(([joined, catalog]) => {
      if (!alive) return
      // The invite code served its purpose: keep a clean, shareable room address.
      if (code) history.replaceState(null, '', `/rooms/${joined.room.id}`)
      session = new RoomSession(joined.room, new Map<string, Film>(catalog.films.map((f) => [f.id, f])), loadSession()!.user.id, realtimeUrl)
      // What the page before wants said here (e.g. "Invited Petr…" after Watch together on a match).
      const flash = takeFlash()
      if (flash) session.notify(flash)
      session.connect()
      setPhase({ kind: 'live', session })
    }, (err: unknown) => {
      if (!alive) return
      if (err instanceof ApiError && err.code === 'ROOM_CLOSED') return setPhase({ kind: 'closed', reason: 'closed' })
      if (err instanceof ApiError && err.code === 'ROOM_BANNED') return setPhase({ kind: 'banned' })
      setPhase({ kind: 'problem', code: err instanceof ApiError ? err.code : 'unknown', error: err })
    })
    return () => { alive = false; session?.stop() }
  }, [roomId, code])

  if (phase.kind === 'live') return <LiveRoom session={phase.session} navigate={navigate} />
  return (
    <>
      <TopBar />
      {phase.kind === 'joining' && <main id='main' class='page'><p role='status'>{t('room.joining')}</p></main>}
      {phase.kind === 'problem' && (
        <main id='main' class='page narrow-wide'>
          <Problem id='room-problem' kind={phase.code} title={t('problem.title')} text={errorText(phase.error)} />
        </main>
      )}
      {phase.kind === 'closed' && <ClosedRoom roomId={roomId} reason={phase.reason} />}
      {phase.kind === 'banned' && <Gone reason='banned-invite' />}
    </>
  )
}

function LiveRoom ({ session, navigate }: { session: RoomSession, navigate: (path: string) => void }) {
  useStore(session)
  const ending = session.ending
  useEffect(() => {
    if (ending?.kind !== 'left') return
    setFlash(t('room.leave.left', { title: session.currentFilm().title }))
    navigate('/')
  }, [ending])
  if (ending?.kind === 'closed') return <><TopBar /><ClosedRoom roomId={session.room.id} reason={ending.reason} /></>
  if (ending?.kind === 'gone') return <><TopBar /><Gone reason={ending.reason} /></>
  return <><TopBar compact /><RoomView session={session} /></>
}
