// `pnpm media add <file|folder|url>… | list | remove <id>… | rescan | resume | jobs`: the media
// library from a shell, against the same PostgreSQL and data folder room-api uses (its
// configuration: DATABASE_URL, PG_SCHEMA, MEDIA_LIBRARY_ROOT, MEDIA_DATA_DIR, …). Exit 1 on any failure.
import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { SingleBar } from 'cli-progress'
import { isMediaError, makeDemoMedia } from '@watch-together/media'
import type { MediaJob } from '@watch-together/protocol'
import { ConfigError } from '@watch-together/service-kit'
import pg from 'pg'
import { readConfig } from './config.js'
import { runMigrations } from './db/migrations.js'
import { MediaLibrary, type ProgressListener } from './media/media-library.js'
import { MediaRepository } from './media/media-repository.js'

const USAGE = `usage: pnpm media <command>
  add <file|folder|url>…   ingest files or folders under MEDIA_LIBRARY_ROOT, or reference an HLS/MP4 URL
  list                     the library (id, kind, duration, size, source)
  remove <id>…             take items out of the catalog and delete their files
  rescan                   every folder added before: new, changed and deleted files
  resume                   restart ingests a killed process left unfinished
  jobs                     recent jobs and their errors
  demo                     make the demo films and songs with ffmpeg (cached) and add them`

const { positionals } = parseArgs({ args: process.argv.slice(2).filter((a) => a !== '--'), allowPositionals: true, options: {} })
const [command, ...args] = positionals
if (!command || !['add', 'list', 'remove', 'rescan', 'resume', 'jobs', 'demo'].includes(command)) {
  process.stderr.write(`${USAGE}\n`)
  process.exit(2)
}

let config: ReturnType<typeof readConfig>
try {
  config = readConfig(process.env)
} catch (err) {
  process.stderr.write(`${err instanceof ConfigError ? err.message : String(err)}\n`)
  process.exit(78)
}
const log = { info: () => {}, warn: () => {} }
await runMigrations(config.DATABASE_URL, config.PG_SCHEMA, { info: () => {} })
const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: 4, options: `-c search_path=${config.PG_SCHEMA}` })
const repo = new MediaRepository(pool)
const library = new MediaLibrary({
  repo,
  libraryRoot: config.MEDIA_LIBRARY_ROOT,
  dataDir: config.MEDIA_DATA_DIR,
  maxBytes: config.MEDIA_MAX_BYTES,
  runner: `cli:${process.pid}`,
  preset: config.MEDIA_X264_PRESET,
  staleMs: config.MEDIA_JOB_STALE_MS,
  log
})
// Ctrl-C stops ffmpeg; the job restarts with `pnpm media resume` (or when room-api starts).
process.once('SIGINT', () => { library.close().finally(() => process.exit(130)) })

/** A progress bar on a terminal; on a pipe, a line every 10 %. */
function progressView (): { listener: ProgressListener, stop: () => void } {
  if (process.stderr.isTTY) {
    const bar = new SingleBar({ format: '{bar} {percentage}% {step} {detail}', hideCursor: true, clearOnComplete: true, stream: process.stderr })
    let started = false
    return {
      listener: (step, fraction, detail) => {
        if (!started) { bar.start(100, 0, { step, detail }); started = true }
        bar.update(Math.round(fraction * 100), { step, detail: detail.split('/').at(-1) })
      },
      stop: () => { if (started) bar.stop() }
    }
  }
  let last = ''
  return {
    listener: (step, fraction, detail) => {
      const line = `${detail.split('/').at(-1)} ${step} ${Math.floor(fraction * 10) * 10}%`
      if (line !== last) process.stderr.write(`${line}\n`)
      last = line
    },
    stop: () => {}
  }
}

const say = (job: MediaJob) => job.status === 'done'
  ? `added ${job.itemIds.join(', ') || '(nothing new)'} from ${job.input}`
  : `failed ${job.input}: ${job.error?.code ?? 'MEDIA_FAILED'} ${job.error?.message ?? ''}`

let failed = false
try {
  if (command === 'add' || command === 'demo') {
    if (command === 'demo') {
      const started = Date.now()
      const cacheDir = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'watch-together', 'demo-media')
      args.push(makeDemoMedia({ cacheDir, libraryDir: join(config.MEDIA_LIBRARY_ROOT, 'demo'), minutes: Number(process.env.DEMO_MINUTES ?? 5), log: (l) => process.stderr.write(`${l}\n`) }))
      process.stderr.write(`demo: sources ready in ${((Date.now() - started) / 1000).toFixed(1)} s\n`)
    }
    if (args.length === 0) throw new Error('add what? a file, a folder or a URL')
    for (const arg of args) {
      // Relative paths are from where the command was typed (pnpm runs scripts elsewhere).
      const from = process.env.INIT_CWD ?? process.cwd()
      const input = !/^[a-z][a-z0-9+.-]*:\/\//i.test(arg) && !arg.startsWith('/') && existsSync(resolve(from, arg)) ? resolve(from, arg) : arg
      const view = progressView()
      try {
        const { done } = await library.add(input, view.listener)
        const job = await done
        view.stop()
        process.stdout.write(`${say(job)}\n`)
        if (job.status !== 'done') failed = true
      } catch (err) {
        view.stop()
        if (!isMediaError(err)) throw err
        process.stdout.write(`refused ${arg}: ${err.code} ${err.message}\n`)
        failed = true
      }
    }
  } else if (command === 'list') {
    const items = await repo.list()
    for (const i of items) {
      process.stdout.write(`${i.id.padEnd(40)} ${i.kind.padEnd(5)} ${String(Math.round(i.durationSec)).padStart(6)} s ${(i.bytes / 1e6).toFixed(1).padStart(8)} MB  ${i.source}\n`)
    }
    process.stdout.write(`${items.length} items\n`)
  } else if (command === 'remove') {
    for (const id of args) {
      const found = await library.remove(id)
      process.stdout.write(found ? `removed ${id}\n` : `no item ${id}\n`)
      if (!found) failed = true
    }
  } else if (command === 'rescan' || command === 'resume') {
    const view = progressView()
    const resumed = await Promise.all(await library.recover(view.listener))
    for (const job of resumed) process.stdout.write(`resumed: ${say(job)}\n`)
    if (command === 'rescan') {
      const r = await library.rescan(view.listener)
      view.stop()
      process.stdout.write(`rescan: ${r.added.length} added or updated, ${r.removed.length} removed, ${r.failed.length} failed\n`)
      for (const f of r.failed) process.stdout.write(`  failed ${f.path}: ${f.code}\n`)
      if (r.failed.length) failed = true
    }
    view.stop()
    if (resumed.some((j) => j.status !== 'done')) failed = true
  } else if (command === 'jobs') {
    for (const j of await repo.jobs(30)) {
      process.stdout.write(`${j.createdAt} ${j.status.padEnd(7)} ${(j.progress * 100).toFixed(0).padStart(3)}% ${j.input}${j.error ? `  ${j.error.code}: ${j.error.message}` : ''}\n`)
    }
  }
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`)
  failed = true
} finally {
  await library.close()
  await pool.end()
}
process.exit(failed ? 1 : 0)
