// The room store is the only owner of a room's Redis keys (issue 18): no other source file names one,
// so what a room holds, and what deleteLive removes, is known in one place.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import t from 'tap'

const SRC = join(import.meta.dirname, '../../src')
const STORE = new Set(['rooms/keys.ts', 'rooms/room-store.ts', 'rooms/store-writes.ts', 'rooms/room-log.ts'])

function files (dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? files(path) : name.endsWith('.ts') ? [path] : []
  })
}

t.test('only the room store names a room key', async (t) => {
  const offenders = files(SRC)
    .map((path) => relative(SRC, path))
    .filter((path) => !STORE.has(path) && /\broomKeys\b|:room:\{/.test(readFileSync(join(SRC, path), 'utf8')))
  t.same(offenders, [], 'files outside the store that name room keys')
  t.ok(files(SRC).length > 20, 'the source tree was read')
})
