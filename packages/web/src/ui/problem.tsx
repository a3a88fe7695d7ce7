import type { ComponentChildren } from 'preact'
import { t } from '../i18n/index.js'
import { linkHandler } from '../router.js'

/** The way back, as a button-styled link. */
export function BackLink () {
  return <a class='button primary' href='/' onClick={linkHandler('/')}>{t('common.back')}</a>
}

/**
 * A styled page for a state the user did not choose (a bad or closed link, a missing page): a title in
 * words, what happened, the way back. `kind` is a stable hook for tests and styles.
 */
export function Problem ({ id, kind, title, text, children }: { id: string, kind: string, title: string, text: string, children?: ComponentChildren }) {
  return (
    <section id={id} class='card stack problem' aria-labelledby={`${id}-title`} data-kind={kind}>
      <p class='problem-icon' aria-hidden='true'>🎞️</p>
      <h1 id={`${id}-title`}>{title}</h1>
      <p>{text}</p>
      <p><BackLink /></p>
      {children}
    </section>
  )
}
