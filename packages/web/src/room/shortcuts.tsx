import { useEffect } from 'preact/hooks'
import { t } from '../i18n/index.js'
import { Modal } from '../ui/modal.js'

export interface ShortcutActions {
  toggle: () => void
  seekBy: (s: number) => void
  sound: () => void
  fullscreen: () => void
  chat: () => void
  react: () => void
  help: () => void
}

/** The room's keys, outside text fields and without modifiers (the help overlay lists them). */
export function useShortcuts (actions: ShortcutActions) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null
      const typing = target?.closest('input:not([type=range]), textarea, select, [contenteditable=true]')
      if (typing || e.altKey || e.ctrlKey || e.metaKey || document.querySelector('dialog[open]')) return
      const key = e.key
      if (key === ' ' && target?.tagName !== 'BUTTON' && target?.tagName !== 'A') { e.preventDefault(); actions.toggle() } else if (key === 'ArrowLeft') { e.preventDefault(); actions.seekBy(-5) } else if (key === 'ArrowRight') { e.preventDefault(); actions.seekBy(5) } else if (key === 'm' || key === 'M') actions.sound()
      else if (key === 'f' || key === 'F') actions.fullscreen()
      else if (key === 'c' || key === 'C') actions.chat()
      else if (key === 'r' || key === 'R') actions.react()
      else if (key === '?') { e.preventDefault(); actions.help() }
    }
    document.addEventListener('keydown', onKey)
    return () => document.removeEventListener('keydown', onKey)
  }, [actions])
}

const KEYS: Array<[string[], string]> = [
  [['Space'], 'room.shortcuts.space'], [['←', '→'], 'room.shortcuts.arrows'], [['M'], 'room.shortcuts.m'], [['F'], 'room.shortcuts.f'],
  [['C'], 'room.shortcuts.c'], [['R'], 'room.shortcuts.r'], [['?'], 'room.shortcuts.help'], [['Esc'], 'room.shortcuts.esc']
]

export function ShortcutsHelp ({ onClose }: { onClose: () => void }) {
  return (
    <Modal id='shortcuts' labelledBy='shortcuts-title' onClose={onClose}>
      <h2 id='shortcuts-title'>{t('room.shortcuts.title')}</h2>
      <dl class='shortcut-list'>
        {KEYS.map(([keys, text]) => (
          <div key={text}><dt>{keys.map((k) => <kbd key={k}>{k}</kbd>)}</dt><dd>{t(text)}</dd></div>
        ))}
      </dl>
      <form method='dialog'><button type='submit' class='primary' autoFocus>{t('common.close')}</button></form>
    </Modal>
  )
}

export function ConfirmFilm ({ title, onYes, onClose }: { title: string, onYes: () => void, onClose: () => void }) {
  return (
    <Modal id='confirm-film' labelledBy='confirm-film-title' onClose={onClose}>
      <h2 id='confirm-film-title'>{t('room.confirmFilm.title')}</h2>
      <p>{t('room.confirmFilm.text', { title })}</p>
      <form method='dialog' class='actions'>
        <button type='submit' class='primary' autoFocus onClick={onYes}>{t('room.confirmFilm.yes')}</button>
        <button type='submit'>{t('common.cancel')}</button>
      </form>
    </Modal>
  )
}
