import { createHash } from 'node:crypto'
import { imageSize } from 'image-size'
import { errors } from '../errors.js'

export type AvatarType = 'image/png' | 'image/jpeg' | 'image/webp' | 'image/gif'
/** Largest side in pixels: a small file can still decode to a huge bitmap in every viewer's browser. */
export const AVATAR_MAX_SIDE = 2048

const startsWith = (bytes: Buffer, magic: number[], at = 0) => magic.every((b, i) => bytes[at + i] === b)

/** The type by magic bytes; whatever the client's content-type said. SVG is never accepted (it can carry script). */
export function sniffImage (bytes: Buffer): AvatarType | null {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png'
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg'
  if (startsWith(bytes, [0x47, 0x49, 0x46, 0x38]) && (bytes[4] === 0x37 || bytes[4] === 0x39) && bytes[5] === 0x61) return 'image/gif'
  if (startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp'
  return null
}

const SIZE_TYPES: Record<AvatarType, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp' }

/**
 * An upload accepted as an avatar: one of four raster types by its magic bytes, at most `maxBytes`,
 * and a header that image-size can read agreeing on the type, with sides within AVATAR_MAX_SIDE.
 */
export function checkAvatar (bytes: Buffer, maxBytes: number): AvatarType {
  if (bytes.length > maxBytes) throw errors.avatarTooLarge(maxBytes, AVATAR_MAX_SIDE)
  const type = sniffImage(bytes)
  if (!type) throw errors.avatarUnsupported()
  let size: ReturnType<typeof imageSize>
  try {
    // A copy of exactly these bytes: a small Buffer is a view into Node's shared pool, and image-size
    // reading past a truncated header would read the pool's other bytes (a random size, not an error).
    size = imageSize(Uint8Array.from(bytes))
  } catch {
    throw errors.avatarUnsupported() // the magic bytes of an image, not the rest of one
  }
  if (size.type !== SIZE_TYPES[type] || !size.width || !size.height) throw errors.avatarUnsupported()
  if (size.width > AVATAR_MAX_SIDE || size.height > AVATAR_MAX_SIDE) throw errors.avatarTooLarge(maxBytes, AVATAR_MAX_SIDE)
  return type
}

const escapeXml = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** Up to two initials (first letters of the first two words), upper-cased; `?` when there are none. */
export function initials (name: string): string {
  const words = name.match(/[\p{L}\p{N}]+/gu) ?? []
  const letters = words.slice(0, 2).map((w) => [...w][0] ?? '').join('')
  return letters.toUpperCase() || '?'
}

/** The avatar of someone who uploaded none: initials on a colour derived from their id (stable, varied). */
export function initialsSvg (userId: string, displayName: string): string {
  const hue = createHash('sha256').update(userId).digest().readUInt16BE(0) % 360
  return '<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128" viewBox="0 0 128 128" role="img">' +
    `<rect width="128" height="128" rx="64" fill="hsl(${hue} 55% 42%)"/>` +
    '<text x="64" y="64" dy=".35em" text-anchor="middle" font-family="system-ui,sans-serif" font-size="52" fill="#fff">' +
    `${escapeXml(initials(displayName))}</text></svg>`
}
