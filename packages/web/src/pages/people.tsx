import type { ComponentChildren } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'
import type { Person } from '../api.js'
import { Avatar } from '../ui/avatar.js'

/** Runs a friends action and says what happened; resolves whether it went through. */
export type Act = (run: () => Promise<unknown>, done: string, name: string) => Promise<boolean>

/** A person on a line: picture, name, @handle (and a note, e.g. since when); then what can be done. */
export function PersonLine ({ person, note, children }: { person: Person, note?: string, children?: ComponentChildren }) {
  return (
    <li class='person' data-user-id={person.id} data-handle={person.handle}>
      <Avatar url={person.avatarUrl} size='medium' />
      <span class='person-names'>
        <strong class='person-name'>{person.displayName}</strong>
        <span class='muted handle'>@{person.handle}</span>
        {note && <span class='muted small since'>{note}</span>}
      </span>
      <span class='person-actions'>{children}</span>
    </li>
  )
}

/** A button that runs an action, disabled until it is done (enabled again only if it failed). */
export function ActButton ({ label, aria, primary, act, run, done, name }: {
  label: string, aria?: string, primary?: boolean, act: Act, run: () => Promise<unknown>, done: string, name: string
}) {
  const [busy, setBusy] = useState(false)
  const alive = useRef(true)
  useEffect(() => () => { alive.current = false }, [])
  const click = () => {
    setBusy(true)
    act(run, done, name).then((ok) => { if (!ok && alive.current) setBusy(false) }, () => {})
  }
  return <button type='button' class={primary ? 'primary' : undefined} aria-label={aria} disabled={busy} onClick={click}>{label}</button>
}

/** Two steps for what cannot be undone by one click: "Remove" → "Yes, remove Petr" / "Keep". */
export function Confirmed ({ label, aria, question, keep, act, run, done, name }: {
  label: string, aria: string, question: string, keep: string, act: Act, run: () => Promise<unknown>, done: string, name: string
}) {
  const [asking, setAsking] = useState(false)
  const [busy, setBusy] = useState(false)
  const wrap = useRef<HTMLSpanElement>(null)
  const moved = useRef(false)
  // Focus follows the step: to "Yes" when asked, back to the first button on "Keep".
  useEffect(() => {
    if (!moved.current) return
    wrap.current?.querySelector<HTMLButtonElement>('button')?.focus()
  }, [asking])
  const step = (next: boolean) => { moved.current = true; setAsking(next) }
  const yes = () => {
    setBusy(true)
    act(run, done, name).then((ok) => { if (!ok && wrap.current?.isConnected) setBusy(false) }, () => {})
  }
  return (
    <span class='confirm' ref={wrap}>
      {asking
        ? (
          <>
            <button type='button' class='danger' disabled={busy} onClick={yes}>{question}</button>
            <button type='button' onClick={() => step(false)}>{keep}</button>
          </>
          )
        : <button type='button' aria-label={aria} onClick={() => step(true)}>{label}</button>}
    </span>
  )
}
