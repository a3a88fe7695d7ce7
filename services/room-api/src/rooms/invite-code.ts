import { randomBytes } from 'node:crypto'

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
export const INVITE_CODE_LENGTH = 12

/** 12 base62 characters (~71 bits) from the CSPRNG; rejection sampling keeps them uniform. */
export function newInviteCode (length = INVITE_CODE_LENGTH): string {
  let code = ''
  while (code.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248 && code.length < length) code += BASE62[byte % 62]
    }
  }
  return code
}
