import { realpath, stat } from 'node:fs/promises'
import { isAbsolute, relative, resolve, sep } from 'node:path'
import { MediaError } from './errors.js'

export type Input =
  | { kind: 'file', path: string, size: number, fingerprint: string }
  | { kind: 'folder', path: string }
  | { kind: 'url', url: string }

export interface InputLimits {
  /** Files and folders must resolve (symlinks followed) inside this folder. */
  libraryRoot: string
  /** Larger files are refused before any work. */
  maxBytes: number
}

/**
 * Decides what an operator's input is, refusing what must not be touched: paths that resolve
 * outside the library root (`../`, symlinks), files over the limit, missing paths, URLs that are
 * not http(s). Relative paths are taken from the library root.
 */
export async function resolveInput (input: string, limits: InputLimits): Promise<Input> {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(input)) {
    let url: URL
    try { url = new URL(input) } catch { throw new MediaError('MEDIA_URL_NOT_STREAMABLE', `not a URL: ${input}`) }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new MediaError('MEDIA_URL_NOT_STREAMABLE', `only http(s) streams can be referenced, not ${url.protocol}`)
    return { kind: 'url', url: url.href }
  }
  const root = await realpath(limits.libraryRoot).catch(() => {
    throw new MediaError('MEDIA_INPUT_NOT_FOUND', `the library root ${limits.libraryRoot} does not exist (MEDIA_LIBRARY_ROOT)`)
  })
  const asked = isAbsolute(input) ? input : resolve(root, input)
  const real = await realpath(asked).catch(() => null)
  if (real === null) {
    if (!isInside(root, resolve(asked))) throw outside(input, root)
    throw new MediaError('MEDIA_INPUT_NOT_FOUND', `no such file or folder: ${input}`)
  }
  if (!isInside(root, real)) throw outside(input, root)
  const info = await stat(real)
  if (info.isDirectory()) return { kind: 'folder', path: real }
  if (!info.isFile()) throw new MediaError('MEDIA_NOT_MEDIA', `not a regular file: ${input}`)
  if (info.size > limits.maxBytes) {
    throw new MediaError('MEDIA_TOO_LARGE', `${input} is ${info.size} bytes, over the limit of ${limits.maxBytes} (MEDIA_MAX_BYTES)`)
  }
  return { kind: 'file', path: real, size: info.size, fingerprint: `${info.size}:${Math.round(info.mtimeMs)}` }
}

export function isInside (root: string, path: string): boolean {
  const rel = relative(root, path)
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel))
}

const outside = (input: string, root: string) =>
  new MediaError('MEDIA_OUTSIDE_LIBRARY', `${input} is outside the library root ${root} (MEDIA_LIBRARY_ROOT): only files under it are ingested`)
