import i18next, { type TOptions } from 'i18next'
import { en } from './en.js'
import { ru } from './ru.js'
import { type Language, LANGUAGES } from './strings.js'

export { type Language, LANGUAGES } from './strings.js'

const KEY = 'wt.lang'

/** The saved choice, else the browser's first language we have, else English. */
export function detectLanguage (saved: string | null = readSaved(), preferred: readonly string[] = navigator.languages ?? [navigator.language]): Language {
  if (saved && (LANGUAGES as readonly string[]).includes(saved)) return saved as Language
  for (const tag of preferred) {
    const base = tag.toLowerCase().split('-')[0]
    if ((LANGUAGES as readonly string[]).includes(base ?? '')) return base as Language
  }
  return 'en'
}

function readSaved (): string | null {
  try { return localStorage.getItem(KEY) } catch { return null }
}

/**
 * One i18next instance for the app, initialised synchronously (the resources are bundled: two small
 * catalogues). Values are inserted unescaped because Preact and the element builder make text nodes.
 */
export const i18n = i18next.createInstance()
i18n.init({
  lng: typeof navigator === 'undefined' ? 'en' : detectLanguage(),
  fallbackLng: 'en',
  resources: { en: { translation: en }, ru: { translation: ru } },
  interpolation: { escapeValue: false },
  initAsync: false
}).catch(() => {})

export function t (key: string, options?: TOptions): string { return i18n.t(key, options ?? {}) as string }
export function language (): Language { return (i18n.language as Language) ?? 'en' }

/** Switches the language, remembers it in this browser and marks the document. */
export function setLanguage (lang: Language) {
  try { localStorage.setItem(KEY, lang) } catch {}
  document.documentElement.lang = lang
  i18n.changeLanguage(lang).catch(() => {})
}

export function onLanguageChange (fn: () => void): () => void {
  i18n.on('languageChanged', fn)
  return () => i18n.off('languageChanged', fn)
}

/** "3 s", "1 min 5 s" / "3 с", "1 мин 5 с": a duration in the page's language (Intl units). */
export function formatDuration (ms: number, lang: string = language()): string {
  const total = Math.max(0, Math.round(ms / 1000))
  const unit = (value: number, u: 'second' | 'minute') => new Intl.NumberFormat(lang, { style: 'unit', unit: u, unitDisplay: 'short' }).format(value)
  if (total < 60) return unit(total, 'second')
  const s = total % 60
  return s === 0 ? unit(total / 60, 'minute') : `${unit(Math.floor(total / 60), 'minute')} ${unit(s, 'second')}`
}

/** "55 ms" / "55 мс". */
export function formatMs (ms: number, lang: string = language()): string {
  return new Intl.NumberFormat(lang, { style: 'unit', unit: 'millisecond', unitDisplay: 'short', maximumFractionDigits: 0 }).format(ms)
}

/** A signed offset: "+3 ms" / "−12 ms". */
export function formatOffset (ms: number, lang: string = language()): string {
  return new Intl.NumberFormat(lang, { style: 'unit', unit: 'millisecond', unitDisplay: 'short', signDisplay: 'exceptZero', maximumFractionDigits: 0 }).format(Math.round(ms))
}

/** The time of day of a chat message, per locale ("9:05 PM" / "21:05"). */
export function formatClock (at: number, lang: string = language()): string {
  return new Intl.DateTimeFormat(lang, { timeStyle: 'short' }).format(new Date(at))
}

/** "Anna and Petr" / "Анна и Пётр". */
export function formatList (items: string[], lang: string = language()): string {
  return new Intl.ListFormat(lang, { style: 'long', type: 'conjunction' }).format(items)
}

/**
 * Words for a stable error code (room-api's ROOM_*, realtime's RT_*, the SDK's WT_*): always a sentence
 * from the catalogue, never the code, a JSON body or a validator's message.
 */
export function errorText (err: unknown): string {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : ''
  return code && i18n.exists(`errors.${code}`) ? t(`errors.${code}`) : t('errors.unknown')
}

/** A calendar date per locale ("Dec 3, 2026" / "3 дек. 2026 г."). */
export function formatDate (at: string | number | Date, lang: string = language()): string {
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium' }).format(new Date(at))
}
