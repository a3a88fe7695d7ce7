import type { ComponentChildren } from 'preact'
import { useState } from 'preact/hooks'
import { t } from '../i18n/index.js'

/** What a field says is wrong: the words, and sometimes a one-click fix next to them. */
export interface FieldError { message: string, extra?: ComponentChildren }

/** The input attributes the forms use (Preact's own input type is a union too wide to spread). */
interface InputProps {
  name?: string
  type?: 'email' | 'text'
  required?: boolean
  autocomplete?: string
  inputMode?: 'email' | 'text'
  spellcheck?: boolean
  autocapitalize?: 'none' | 'off'
  maxLength?: number
  placeholder?: string
  defaultValue?: string
  onInput?: (event: Event) => void
}

/**
 * A labelled input with its hint and its own error line (both in aria-describedby), marked invalid
 * while the error shows; typing clears the error (`onClear`). `password` adds a Show/Hide button, `prefix`
 * a mark before the input (the @ of a handle).
 */
export function Field ({ id, label, hint, error, onClear, password, prefix, class: className, ...input }: {
  id: string, label: ComponentChildren, hint?: string, error?: FieldError | null, onClear?: () => void, password?: boolean, prefix?: string, class?: string
} & InputProps) {
  const [shown, setShown] = useState(false)
  const control = (
    <input
      {...input} id={id}
      // Preact types an input as a union keyed by one literal `type`: a computed one needs the cast.
      type={(password ? (shown ? 'text' : 'password') : (input.type ?? 'text')) as 'text'}
      aria-describedby={[hint ? `${id}-hint` : '', `${id}-error`].filter(Boolean).join(' ')}
      aria-invalid={error ? 'true' : undefined}
      onInput={(e) => { if (error) onClear?.(); input.onInput?.(e) }}
    />
  )
  return (
    <div class={`field${className ? ` ${className}` : ''}`}>
      <label for={id}>{label}</label>
      {password
        ? (
          <div class='password-row'>
            {control}
            <button type='button' class='reveal' aria-label={t(shown ? 'signIn.hideLabel' : 'signIn.showLabel')} onClick={() => setShown(!shown)}>
              {t(shown ? 'signIn.hide' : 'signIn.show')}
            </button>
          </div>
          )
        : prefix ? <div class='handle-row'><span class='at' aria-hidden='true'>{prefix}</span>{control}</div> : control}
      {hint && <p id={`${id}-hint`} class='muted small hint'>{hint}</p>}
      <p id={`${id}-error`} class='field-error'>{error && <><span>{error.message}</span>{error.extra}</>}</p>
    </div>
  )
}

/** The value of an input on the page by id (the forms keep their inputs uncontrolled). */
export function valueOf (id: string): string {
  return (document.getElementById(id) as HTMLInputElement | null)?.value ?? ''
}

export function focusOn (id: string, select = false) {
  const el = document.getElementById(id) as HTMLInputElement | null
  if (select) el?.select()
  el?.focus()
}

export function setValue (id: string, value: string) {
  const el = document.getElementById(id) as HTMLInputElement | null
  if (el) el.value = value
}
