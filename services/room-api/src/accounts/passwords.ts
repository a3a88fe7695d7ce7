import { randomBytes } from 'node:crypto'
import { type Algorithm, hash, parseOptions, verify } from '@node-rs/argon2'

/** argon2id (the const enum's value: isolatedModules cannot read an ambient const enum). */
const ARGON2ID = 2 as Algorithm

export interface PasswordCost { memoryKib: number, timeCost: number }

/**
 * argon2id through @node-rs/argon2 (Rust, prebuilt per platform, hashing off the event loop).
 * Verifying an unknown email's sign-in against a dummy hash of the same cost makes it take as long
 * as a wrong password does, so timing does not tell whether an account exists.
 */
export function createPasswords (cost: PasswordCost) {
  const options = { algorithm: ARGON2ID, memoryCost: cost.memoryKib, timeCost: cost.timeCost, parallelism: 1 }
  const dummy = hash(randomBytes(32).toString('base64url'), options)
  // An unhandled rejection would crash the process before anyone awaited it.
  dummy.catch(() => {})

  return {
    hash: (password: string) => hash(password, options),

    /** True when `password` matches; with no stored hash, spends the same time and says no. */
    async verify (stored: string | null, password: string): Promise<boolean> {
      if (stored === null) {
        await verify(await dummy, password).catch(() => false)
        return false
      }
      try {
        return await verify(stored, password)
      } catch {
        return false // a malformed stored hash is a failed sign-in, not a 500
      }
    },

    /** A hash made with another cost than today's: rehashed at the next successful sign-in. */
    outdated (stored: string): boolean {
      try {
        const o = parseOptions(stored)
        return o.algorithm !== ARGON2ID || o.memoryCost !== options.memoryCost || o.timeCost !== options.timeCost
      } catch {
        return true
      }
    }
  }
}
export type Passwords = ReturnType<typeof createPasswords>
