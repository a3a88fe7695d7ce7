import { randomBytes } from 'node:crypto'

/**
 * A name no other test file uses: test files run in parallel processes, so each gets its
 * own database schema, topic, consumer group and key prefix.
 */
export function uniqueName (prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`
}
