import { RESERVED_ROOM_NAMES, RoomName } from '@watch-together/protocol'
import { t } from './i18n/index.js'

/**
 * Room names people type (`/r/<name>`): the rules are the protocol's RoomName (3-40 latin letters,
 * digits and single hyphens, starting and ending with a letter or digit, not a reserved word,
 * case-insensitive). room-api decides; these helpers only put its refusals into plain words.
 */

/** What a user typed or pasted into "Join a room": a name, or an invite link `…/r/<name>`; lowercased. */
export function nameFromInput (raw: string): string {
  let value = raw.trim()
  const link = /\/r\/([^/?#\s]+)\/?(?:[?#].*)?$/.exec(value)
  if (link) {
    try { value = decodeURIComponent(link[1] as string) } catch { value = link[1] as string }
  }
  return value.replace(/^["'“”«»]+|["'“”«»]+$/g, '').trim().toLowerCase()
}

/** Why room-api refuses this name, in plain words; null when the name is valid (or the reason is not one of these). */
export function nameProblem (raw: string): string | null {
  const name = raw.trim().toLowerCase()
  if (RoomName.safeParse(name).success) return null
  if (name.length < 3) return t('roomName.short')
  if (name.length > 40) return t('roomName.long', { count: name.length })
  if (/\s/.test(name)) return t('roomName.spaces')
  const bad = /[^a-z0-9-]/.exec(name)
  if (bad) return t('roomName.chars', { char: bad[0] })
  if (name.startsWith('-') || name.endsWith('-')) return t('roomName.edges')
  if (name.includes('--')) return t('roomName.double')
  if (RESERVED_ROOM_NAMES.has(name)) return t('roomName.reserved', { name })
  return null
}

/** A valid name close to what was typed (`Movie Night!` → `movie-night`), when it differs from it; else null. */
export function nameSuggestion (raw: string): string | null {
  const slug = raw.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase()
    .replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40).replace(/-+$/, '')
  if (slug === raw.trim().toLowerCase() || !RoomName.safeParse(slug).success) return null
  return slug
}

/** room-api's message as a sentence (its messages start lowercase and have no full stop). */
export function sentence (message: string): string {
  const text = message.trim()
  if (!text) return text
  return `${text[0]!.toUpperCase()}${text.slice(1)}${/[.!?]$/.test(text) ? '' : '.'}`
}
