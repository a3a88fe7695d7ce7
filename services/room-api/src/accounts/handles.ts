import { randomInt } from 'node:crypto'
import { RESERVED_HANDLES } from '@watch-together/protocol'

/**
 * The handle a name suggests: its latin letters and digits (accents dropped), words joined by `_`,
 * starting with a letter, at most 20 characters (room for a numeric suffix); `user` when nothing
 * usable is left (a name in Cyrillic, say).
 */
export function handleBase (name: string): string {
  const ascii = name.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase()
    .replace(/[^a-z0-9]+/g, '_').replace(/^[^a-z]+/, '').slice(0, 20).replace(/_+$/, '')
  return ascii.length >= 3 && !RESERVED_HANDLES.has(ascii) ? ascii : 'user'
}

/** The base itself first (unless it is the bare fallback), then the base with random digits. */
export function handleCandidates (base: string, count: number): string[] {
  const out = base === 'user' ? [] : [base]
  while (out.length < count) out.push(`${base}_${randomInt(1000, 1_000_000)}`)
  return out
}
