import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import t from 'tap'

/**
 * room-api's layering: SQL lives only in repositories and stores (files named `*-repository.ts`
 * or `*-store.ts`), plus the transaction helper and the pool's plugin. Services hold the rules and
 * call them; routes call services. A statement written anywhere else fails this test.
 */
const SRC = fileURLToPath(new URL('../../src', import.meta.url))
const ALLOWED = [/-repository\.ts$/, /-store\.ts$/, /^db\/transaction\.ts$/, /^plugins\/postgres\.ts$/]
// A call of `query` on anything (pool, client, db), with or without a type argument.
const QUERY_CALL = /\.query\s*(<[^>]*>)?\s*\(/

function sources (dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    return entry.isDirectory() ? sources(path) : entry.name.endsWith('.ts') ? [path] : []
  })
}

t.test('no SQL outside repositories and stores', async (t) => {
  const files = sources(SRC).map((path) => relative(SRC, path))
  t.ok(files.includes('rooms/rooms-service.ts'), 'the scan sees the sources')
  const offenders = files.filter((file) => !ALLOWED.some((rule) => rule.test(file)) && QUERY_CALL.test(readFileSync(join(SRC, file), 'utf8')))
  t.same(offenders, [], 'files calling query() that are not repositories or stores')
})

t.test('the pattern catches the shapes a query call takes', async (t) => {
  for (const call of ["pool.query('SELECT 1')", 'db.query<{ n: number }>(`SELECT`)', "client.query ({ text: 'x' })"]) t.match(call, QUERY_CALL)
  t.notMatch('const query = build()', QUERY_CALL)
})
