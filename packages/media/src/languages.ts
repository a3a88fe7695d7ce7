/** Human labels for the language codes sources tag streams with (ISO 639-1 and -2). */
const NAMES: Record<string, string> = {
  en: 'English',
  eng: 'English',
  ru: 'Русский',
  rus: 'Русский',
  de: 'Deutsch',
  deu: 'Deutsch',
  ger: 'Deutsch',
  fr: 'Français',
  fra: 'Français',
  fre: 'Français',
  es: 'Español',
  spa: 'Español',
  it: 'Italiano',
  ita: 'Italiano',
  uk: 'Українська',
  ukr: 'Українська',
  ja: '日本語',
  jpn: '日本語',
  zh: '中文',
  zho: '中文',
  chi: '中文'
}

export function languageLabel (language: string | null, title: string | null, fallback: string): string {
  if (title) return title
  if (!language) return fallback
  return NAMES[language] ?? language
}
