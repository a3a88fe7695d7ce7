// Catalog search at scale (a measurement, not a test): BENCH_SEARCH_ITEMS (100,000) films and
// tracks with English and Russian titles and descriptions, seeded with set-based SQL into a schema
// of its own (migrated like room-api's), then searched through the catalog's own query
// (src/media/catalog-search-repository.ts) — sequentially, one at a time, so the figures are latencies.
// Baseline, same data, same run: the old title-only search ('simple' word prefixes on titles, the
// index migration 0 made). Usage: pnpm --filter @watch-together/room-api search-bench [--queries 300] [--keep]
// (--keep leaves the seeded schema in place and names it, for EXPLAIN ANALYZE by hand).
import { parseArgs } from 'node:util'
import pg from 'pg'
import { stack, uniqueName } from '@watch-together/test-kit'
import { runMigrations } from '../src/db/migrations.js'
import { searchCatalog, type CatalogQuery } from '../src/media/catalog-search-repository.js'

const { values: args } = parseArgs({ args: process.argv.slice(2).filter((a) => a !== '--'), options: { queries: { type: 'string', default: '300' }, keep: { type: 'boolean', default: false } } })
const ITEMS = Number(process.env.BENCH_SEARCH_ITEMS ?? 100_000)
const QUERIES = Number(args.queries)
const databaseUrl = process.env.DATABASE_URL ?? stack.databaseUrl

const EN = ('dragon river night city winter garden stone shadow light storm island forest mirror silver ocean empire desert ' +
  'journey secret letter kingdom machine summer train station harbor mountain soldier queen hunter village wolf star ' +
  'fire wings crown ghost tower lantern circus violin bridge orchard thunder compass voyage').split(' ')
const RU = ('дракон река ночь город зима сад камень тень свет буря остров лес зеркало серебро океан империя пустыня ' +
  'путешествие тайна письмо королевство машина лето поезд вокзал гавань гора солдат королева охотник деревня волк звезда').split(' ')
const RU_FORMS = ['', 'ы', 'а', 'ом', 'ами', 'ов']
// A catalog's vocabulary is large and skewed: the real words above plus 6,000 made-up ones, picked
// with a Zipf-like skew (a few words common, most rare).
const SYLLABLES = 'ka lo mi ren tar vel os un dra pe si ko bar lin mor thal en ru zo fi'.split(' ')
const RU_SYLLABLES = 'ка ло ми рен тар вел ос ун дра пе си ко бар лин мор тал ен ру зо фи'.split(' ')
const made = (syl: string[], i: number) => syl[i % 20]! + syl[Math.floor(i / 20) % 20]! + syl[Math.floor(i / 400) % 20]!
const EN_ALL = [...EN, ...Array.from({ length: 3000 }, (_, i) => made(SYLLABLES, i))]
const RU_ALL = [...RU, ...Array.from({ length: 3000 }, (_, i) => made(RU_SYLLABLES, i))]
const GENRES = ['drama', 'comedy', 'animation', 'fantasy', 'documentary', 'jazz', 'rock', 'science fiction']

let seed = 42
const random = () => { seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648; return seed / 2_147_483_648 }
const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)]!
const zipf = <T>(list: T[]) => list[Math.floor(random() ** 3 * list.length)]!
const words = (n: number, ru: boolean) => Array.from({ length: n }, () => ru ? zipf(RU_ALL) + pick(RU_FORMS) : zipf(EN_ALL)).join(' ')
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1)

const schema = uniqueName('bench_search')
await runMigrations(databaseUrl, schema, { info: () => {} })
const pool = new pg.Pool({ connectionString: databaseUrl, max: 2, options: `-c search_path=${schema}` })
try {
  const seeded = Date.now()
  for (let start = 0; start < ITEMS; start += 5000) {
    const rows = Array.from({ length: Math.min(5000, ITEMS - start) }, (_, k) => {
      const i = start + k
      const ru = random() < 0.4
      return {
        id: `bench-${i}`,
        title: cap(words(2 + Math.floor(random() * 3), ru)),
        description: `${words(8 + Math.floor(random() * 10), ru)} ${words(4, !ru)}`,
        year: 1950 + Math.floor(random() * 75),
        kind: random() < 0.2 ? 'track' : 'film',
        genre: pick(GENRES),
        lang: ru ? 'rus' : 'eng'
      }
    })
    await pool.query(`INSERT INTO films (id, title, year, duration_sec, stream_url, description)
      SELECT id, title, year, 600, '/media/bench.webm', description FROM unnest($1::text[], $2::text[], $3::int[], $4::text[]) AS x (id, title, year, description)`,
    [rows.map((r) => r.id), rows.map((r) => r.title), rows.map((r) => r.year), rows.map((r) => r.description)])
    await pool.query(`INSERT INTO media_items (film_id, kind, genres, languages, source, titles, search)
      SELECT x.id, x.kind, ARRAY[x.genre], ARRAY[x.lang], 'url', f.title, media_search_doc(f.title, NULL, f.description, '{}', ARRAY[x.genre], NULL, NULL, f.year)
      FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS x (id, kind, genre, lang) JOIN films f ON f.id = x.id`,
    [rows.map((r) => r.id), rows.map((r) => r.kind), rows.map((r) => r.genre), rows.map((r) => r.lang)])
  }
  await pool.query('VACUUM (ANALYZE) films, media_items')
  process.stderr.write(`seeded ${ITEMS} items in ${((Date.now() - seeded) / 1000).toFixed(1)} s\n`)

  const typo = (w: string) => { const i = 1 + Math.floor(random() * (w.length - 2)); return w.slice(0, i) + w.slice(i + 1) }
  // Queries draw words the way the catalog uses them (the same skew), except the worst case: the
  // 45 most common words, each in 5–15 % of the items (more matches than the search ranks or counts).
  const kinds: Array<{ name: string, query: () => CatalogQuery }> = [
    { name: 'English word', query: () => ({ q: zipf(EN_ALL) }) },
    { name: 'English prefix (3 letters)', query: () => ({ q: zipf(EN_ALL).slice(0, 3) }) },
    { name: 'English plural (stemmed)', query: () => ({ q: `${zipf(EN_ALL)}s` }) },
    { name: 'Russian word form (stemmed)', query: () => ({ q: zipf(RU_ALL) + pick(RU_FORMS) }) },
    { name: 'two words', query: () => ({ q: `${zipf(EN_ALL)} ${zipf(EN_ALL)}` }) },
    { name: 'worst case: one of the most common words', query: () => ({ q: pick(EN) }) },
    { name: 'a typo (no exact match: trigram fallback)', query: () => ({ q: typo(pick(EN)) + 'q' }) },
    { name: 'word + kind + genre filters', query: () => ({ q: zipf(EN_ALL), kind: 'track', genre: pick(GENRES) }) },
    { name: 'filters only (year, language)', query: () => ({ year: 1950 + Math.floor(random() * 75), language: 'rus' }) }
  ]
  const time = async (fn: () => Promise<unknown>) => { const t0 = performance.now(); await fn(); return performance.now() - t0 }
  const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p / 100 * s.length))]! }
  // The old search: word prefixes on titles only ('simple', the films_title_search index), with its count.
  const baseline = async (q: string) => {
    const query = q.toLowerCase().match(/[\p{L}\p{N}]+/gu)!.map((w) => `${w}:*`).join(' & ')
    const where = "WHERE to_tsvector('simple', f.title) @@ to_tsquery('simple', $1)"
    await Promise.all([
      pool.query(`SELECT f.id, f.title FROM films f ${where} ORDER BY f.title, f.id LIMIT 20`, [query]),
      pool.query(`SELECT count(*)::int FROM films f ${where}`, [query])
    ])
  }
  for (const k of kinds) for (let i = 0; i < 20; i++) await searchCatalog(pool, k.query(), 20, 0) // warm the cache
  const rows: string[][] = []
  const all: number[] = []
  for (const k of kinds) {
    const ms: number[] = []
    let hits = 0
    let capped = 0
    for (let i = 0; i < QUERIES; i++) {
      const q = k.query()
      ms.push(await time(async () => {
        const found = await searchCatalog(pool, q, 20, 0)
        hits += found.total > 0 ? 1 : 0
        capped += found.totalCapped ? 1 : 0
      }))
    }
    all.push(...ms)
    rows.push([k.name, String(QUERIES), pct(ms, 50).toFixed(1), pct(ms, 95).toFixed(1), pct(ms, 99).toFixed(1), `${(100 * hits / QUERIES).toFixed(0)} %`, `${(100 * capped / QUERIES).toFixed(0)} %`])
  }
  const base: number[] = []
  for (let i = 0; i < QUERIES * 2; i++) base.push(await time(() => baseline(random() < 0.5 ? zipf(EN_ALL) : zipf(EN_ALL).slice(0, 3))))
  rows.push(['all of the above', String(all.length), pct(all, 50).toFixed(1), pct(all, 95).toFixed(1), pct(all, 99).toFixed(1), '', ''])
  rows.push(['baseline: old title-only prefix search', String(base.length), pct(base, 50).toFixed(1), pct(base, 95).toFixed(1), pct(base, 99).toFixed(1), '', ''])
  console.log(`catalog search, ${ITEMS} items (${(ITEMS * 0.4).toFixed(0)} with Russian text; vocabulary ${EN_ALL.length} English + ${RU_ALL.length} Russian words, Zipf-like), one query at a time, 20 per page with the total (counted up to 1,000)`)
  console.log('| query | n | p50 ms | p95 ms | p99 ms | found something | total "1000+" |\n|---|---:|---:|---:|---:|---:|---:|')
  for (const r of rows) console.log(`| ${r.join(' | ')} |`)
  console.log(`\np99 ratio, all searches / baseline: ${(pct(all, 99) / pct(base, 99)).toFixed(2)}`)
} finally {
  await pool.end()
  if (args.keep) process.stderr.write(`kept schema ${schema} (DROP SCHEMA ${schema} CASCADE when done)\n`)
  const db = new pg.Client({ connectionString: databaseUrl })
  await db.connect()
  if (!args.keep) await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
  await db.end()
}
