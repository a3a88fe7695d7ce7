/** This browser's choices: the theme (system, light, dark) and whether the room's sound is on. */
export type Theme = 'system' | 'light' | 'dark'
const THEME_KEY = 'wt.theme'
const SOUND_KEY = 'wt.sound'

function read (key: string): string | null {
  try { return localStorage.getItem(key) } catch { return null }
}
function write (key: string, value: string) {
  try { localStorage.setItem(key, value) } catch {}
}

export function theme (): Theme {
  const saved = read(THEME_KEY)
  return saved === 'light' || saved === 'dark' ? saved : 'system'
}

/** Applies a theme: `data-theme` on <html> (CSS variables follow); "system" follows prefers-color-scheme. */
export function setTheme (next: Theme) {
  write(THEME_KEY, next)
  applyTheme(next)
}

export function applyTheme (choice: Theme = theme()) {
  const dark = choice === 'dark' || (choice === 'system' && matchMedia('(prefers-color-scheme: dark)').matches)
  document.documentElement.dataset.theme = dark ? 'dark' : 'light'
  document.documentElement.style.colorScheme = dark ? 'dark' : 'light'
}

/** Whether the user last chose sound on in a room (default off: muted media may start without a click). */
export function soundOn (): boolean { return read(SOUND_KEY) === 'on' }
export function rememberSound (on: boolean) { write(SOUND_KEY, on ? 'on' : 'off') }
