import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import { rooms as roomsApi } from '../api.js'
import { callPanel } from '../call/call-panel.js'
import { t } from '../i18n/index.js'
import { linkHandler } from '../router.js'
import { useLanguage, useStore } from '../ui/hooks.js'
import { Preferences } from '../ui/top-bar.js'
import { Chat, ChatForm } from './chat.js'
import { needsFilmConfirmation } from './commands.js'
import { HostTools } from './host-tools.js'
import { Invite } from './invite.js'
import { Members } from './members.js'
import { Announcements, Counters, Notice } from './notices.js'
import { Queue } from './queue.js'
import type { RoomSession } from './session.js'
import { ConfirmFilm, ShortcutsHelp } from './shortcuts.js'
import { Stage } from './stage.js'

type Tool = 'people' | 'invite' | 'queue'

/** "Leave room…" then "Yes, leave": two steps, so one stray click ends nothing. */
function Leave ({ session }: { session: RoomSession }) {
  const [asking, setAsking] = useState(false)
  const [busy, setBusy] = useState(false)
  const confirm = useRef<HTMLButtonElement>(null)
  useEffect(() => { if (asking) confirm.current?.focus() }, [asking])
  if (!asking) return <button id='leave-room' type='button' aria-expanded='false' onClick={() => setAsking(true)}>{t('room.leave.start')}</button>
  return (
    <span class='leave actions'>
      <button
        id='confirm-leave' type='button' class='danger' disabled={busy} ref={confirm}
        onClick={() => { setBusy(true); session.leave().catch(session.fail).finally(() => setBusy(false)) }}
      >{t('room.leave.yes')}
      </button>
      <button type='button' onClick={() => setAsking(false)}>{t('room.leave.stay')}</button>
    </span>
  )
}

/** The call (src/call, plain DOM): a strip above the chat; it only ever lowers the film's volume. */
function Call ({ session }: { session: RoomSession }) {
  const box = useRef<HTMLDivElement>(null)
  useEffect(() => {
    // The Stage (a child, so mounted first) holds the one <video>.
    const film = document.getElementById('room-video') as HTMLVideoElement
    const call = callPanel({
      token: () => roomsApi.callToken(session.room.id),
      film,
      myId: session.myId,
      isHost: () => session.isHost(),
      muteMember: (userId) => roomsApi.callMute(session.room.id, userId),
      removeFromCall: (userId) => roomsApi.callRemove(session.room.id, userId),
      reportMute: (trackSid, muted) => roomsApi.callSelfMute(session.room.id, trackSid, muted),
      notify: (message) => session.notify(message)
    })
    box.current?.replaceChildren(call.element)
    const off = session.subscribe(() => call.refreshRole())
    return () => { off(); call.stop() }
  }, [session])
  return <div class='call-box' ref={box} />
}

/**
 * The room, laid out like a theater: on a desktop the video as large as the window allows with a
 * full-height chat column beside it (collapsible); people, invite and queue in a sheet over that
 * column, so chat is never pushed down. On a phone the video is pinned at the top, chat fills the
 * rest with its input always visible, and the tools open as a bottom sheet.
 */
export function RoomView ({ session }: { session: RoomSession }) {
  useStore(session)
  useLanguage()
  const [tool, setTool] = useState<Tool | null>(null)
  const [chatShown, setChatShown] = useState(true)
  const [help, setHelp] = useState(false)
  const [film, setFilm] = useState<number | null>(null)
  const [dismissed, setDismissed] = useState<number[]>([])
  const current = session.currentFilm()
  const closeButton = useRef<HTMLButtonElement>(null)
  useEffect(() => { if (tool) closeButton.current?.focus() }, [tool])
  useEffect(() => { document.title = t('app.title', { page: current.title }) })

  const askFilm = useCallback((index: number) => {
    if (needsFilmConfirmation(session)) setFilm(index)
    else session.client.jump(index).catch(session.fail)
  }, [session])
  const toggleChat = useCallback(() => setChatShown((v) => !v), [])
  const openHelp = useCallback(() => setHelp(true), [])
  const target = film === null ? null : session.queue()[film]?.film
  const closeTool = () => {
    const was = tool
    setTool(null)
    requestAnimationFrame(() => document.getElementById(`tool-${was}`)?.focus())
  }

  return (
    <main id='main' class={`room-layout${chatShown ? '' : ' chat-hidden'}`} data-control-mode={session.controlMode}>
      <div class='room-main'>
        <div class='room-head'>
          <a class='back-home' href='/' onClick={linkHandler('/')} aria-label={t('common.back')}>←</a>
          <div class='room-title'>
            <h1>{current.title}{session.room.name && <span id='room-name-heading' class='room-name'><span class='visually-hidden'>{t('room.roomName')}</span>{session.room.name}</span>}</h1>
            <Counters session={session} />
          </div>
          <Leave session={session} />
        </div>
        <Announcements items={session.announcements.filter((a) => !dismissed.includes(a.seq))} dismiss={(seq) => setDismissed((d) => [...d, seq])} />
        <Stage
          session={session} askFilm={askFilm} chatShown={chatShown} toggleChat={toggleChat} openHelp={openHelp}
          fullscreenChat={<><ol class='fs-messages' aria-hidden='true'>{session.messages().slice(-5).map((m) => <li key={m.messageId}><b>{m.name}</b> {m.deleted ? t('room.chat.deleted') : m.text}</li>)}</ol><ChatForm session={session} idPrefix='fs-chat' /></>}
        />
        <Notice session={session} />
      </div>
      <aside class='side' aria-label={t('room.tools.label')} hidden={!chatShown && tool === null}>
        <nav class='tool-bar' aria-label={t('room.tools.label')}>
          {(['people', 'invite', 'queue'] as Tool[]).map((name) => (
            <button
              key={name} id={`tool-${name}`} type='button' aria-expanded={tool === name} aria-controls='tool-sheet'
              onClick={() => tool === name ? closeTool() : setTool(name)}
            >
              {t(`room.tools.${name}`)}{name === 'people' ? ` (${session.rows().length})` : ''}
            </button>
          ))}
        </nav>
        <div
          id='tool-sheet' class='sheet' role='region' aria-label={tool ? t(`room.tools.${tool}`) : t('room.tools.label')} hidden={tool === null}
          onKeyDown={(e) => { if (e.key === 'Escape') { e.stopPropagation(); closeTool() } }}
        >
          <div class='sheet-head'>
            <button type='button' class='sheet-close' aria-label={t('common.close')} onClick={closeTool} ref={closeButton}>✕</button>
          </div>
          <div class='sheet-body' hidden={tool !== 'people'}><HostTools session={session} /><Members session={session} /></div>
          <div class='sheet-body' hidden={tool !== 'invite'}><Invite session={session} /><Preferences idPrefix='room-pref' /></div>
          <div class='sheet-body' hidden={tool !== 'queue'}><Queue session={session} askFilm={askFilm} /></div>
        </div>
        <Call session={session} />
        <Chat session={session} />
      </aside>
      {help && <ShortcutsHelp onClose={() => setHelp(false)} />}
      {target && film !== null && (
        <ConfirmFilm
          title={target.title} onClose={() => setFilm(null)}
          onYes={() => session.client.jump(film).catch(session.fail)}
        />
      )}
    </main>
  )
}
