// The `pnpm media` CLI against real PostgreSQL and ffmpeg: an ingest killed with SIGKILL mid-way
// leaves no item and no files where the server looks, and `resume` finishes it cleanly; `rescan`
// picks up new files and drops deleted ones.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { stack, tempDir, uniqueName } from '@watch-together/test-kit'
import pg from 'pg'
import t from 'tap'
import { buildTestApp } from './helpers/app.js'
import { makeFilm, makeSong } from './helpers/media-fixtures.js'

t.setTimeout(600_000)

const CLI = fileURLToPath(new URL('../src/media-cli.ts', import.meta.url))
const root = tempDir(t, 'wt-media-lib-')
const dataDir = tempDir(t, 'wt-media-data-')
const schema = uniqueName('room_api')
const env = { MEDIA_LIBRARY_ROOT: root, MEDIA_DATA_DIR: dataDir, MEDIA_X264_PRESET: 'veryfast', MEDIA_JOB_STALE_MS: '1000' }

function cli (args: string[]): { child: ChildProcess, done: Promise<{ code: number | null, out: string }> } {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    env: { ...process.env, ...env, DATABASE_URL: stack.databaseUrl, PG_SCHEMA: schema, NODE_ENV: 'test', LOG_LEVEL: 'silent', INIT_CWD: root },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  child.stdout!.on('data', (d) => { out += d })
  child.stderr!.on('data', (d) => { out += d })
  return { child, done: new Promise((resolve) => child.on('close', (code) => resolve({ code, out }))) }
}

t.test('a killed ingest leaves nothing visible and resumes cleanly', async (t) => {
  const test = await buildTestApp(t, { ...env, MEDIA_INGEST: 'false' }, { schema })
  const db = new pg.Client({ connectionString: stack.databaseUrl })
  await db.connect()
  t.teardown(() => db.end())
  const film = makeFilm(join(root, 'films'), 'Long.Night.2019', { seconds: 30, title: 'Long Night', description: 'A film long enough to be killed.' })

  const run = cli(['add', film])
  // Kill it once ffmpeg has really started packaging (progress written by the job).
  let seen = false
  for (let i = 0; i < 3000 && !seen; i++) {
    const { rows } = await db.query(`SELECT step, progress FROM ${schema}.media_jobs`).catch(() => ({ rows: [] as Array<{ step: string, progress: number }> }))
    seen = rows.some((r) => r.step === 'video' && r.progress > 0)
    if (!seen) await new Promise((resolve) => setTimeout(resolve, 100))
  }
  t.ok(seen, 'the ingest was packaging')
  run.child.kill('SIGKILL')
  await run.done
  const { rows: [job] } = await db.query(`SELECT id, status FROM ${schema}.media_jobs`)
  t.equal(job.status, 'running', 'the killed job is left as it was')
  t.equal((await test.app.inject('/api/v1/films?q=long%20night')).json().total, 0, 'no item in the catalog')
  t.notOk(existsSync(join(dataDir, 'items')) && readdirSync(join(dataDir, 'items')).length > 0, 'no item folder where the server looks')
  t.ok(readdirSync(join(dataDir, '.staging')).some((n) => n.startsWith(job.id)), 'its work is in staging')

  await new Promise((resolve) => setTimeout(resolve, 1500)) // past MEDIA_JOB_STALE_MS: the job is known dead
  const resumed = await cli(['resume']).done
  t.equal(resumed.code, 0, 'resume succeeds', { output: resumed.out })
  t.match(resumed.out, /resumed: added long-night-/)
  const found = (await test.app.inject('/api/v1/films?q=long%20night')).json()
  t.equal(found.total, 1, 'the item is in the catalog once')
  t.equal(found.films[0].durationSec, 30)
  t.same(readdirSync(join(dataDir, '.staging')), [], 'the killed run\'s staging is gone')
  t.equal(readdirSync(join(dataDir, 'items', found.films[0].id)).length, 1, 'one version of the item')
  const { rows: [after] } = await db.query(`SELECT status, progress FROM ${schema}.media_jobs WHERE id = $1`, [job.id])
  t.same(after, { status: 'done', progress: 1 })
})

t.test('folders: add, rescan for new and deleted files, list, remove', async (t) => {
  const test = await buildTestApp(t, { ...env, MEDIA_INGEST: 'false' }, { schema })
  const music = join(root, 'music')
  makeSong(music, '01 First', { title: 'First Light', artist: 'Tram Band', album: 'Depot', track: 1, year: 2020 })
  const added = await cli(['add', 'music']).done
  t.equal(added.code, 0, 'add succeeds', { output: added.out })
  const tracks = async () => (await test.app.inject('/api/v1/films?kind=track&limit=100')).json().films.map((f: { title: string }) => f.title).sort()
  t.same(await tracks(), ['First Light'])

  const second = makeSong(music, '02 Second', { title: 'Second Wind', artist: 'Tram Band', album: 'Depot', track: 2, year: 2020 })
  const rescan = await cli(['rescan']).done
  t.equal(rescan.code, 0, 'rescan succeeds', { output: rescan.out })
  t.match(rescan.out, /rescan: 1 added or updated, 0 removed, 0 failed/)
  t.same(await tracks(), ['First Light', 'Second Wind'])

  rmSync(second)
  const again = await cli(['rescan']).done
  t.match(again.out, /rescan: 0 added or updated, 1 removed, 0 failed/)
  t.same(await tracks(), ['First Light'])

  const list = await cli(['list']).done
  t.match(list.out, /first-light-[0-9a-f]{8}\s+track/)
  const id = /(first-light-[0-9a-f]{8})/.exec(list.out)![1]!
  const removed = await cli(['remove', id]).done
  t.equal(removed.code, 0)
  t.same(await tracks(), [])
  const refused = await cli(['add', '../../etc/passwd']).done
  t.equal(refused.code, 1)
  t.match(refused.out, /refused \.\.\/\.\.\/etc\/passwd: MEDIA_OUTSIDE_LIBRARY/)
})
