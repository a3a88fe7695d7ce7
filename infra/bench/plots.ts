// PNG plots for `pnpm bench`, drawn by gnuplot (Debian package gnuplot-nox) from .dat files next to the JSON.
// Without gnuplot the data files are still written and the missing plots are named in the notes.
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { relative, resolve } from 'node:path'

interface Fan { connections: number, ws: { p50: number, p99: number }, realtime: { p50: number, p99: number } }
interface PlotData { fanout: Fan[], samples: Array<[number, number]>, syncErrors: number[] }

const ROOT = resolve(import.meta.dirname, '../..')

function gnuplot (script: string): boolean {
  const res = spawnSync('gnuplot', [], { input: script, encoding: 'utf8' })
  if (res.status !== 0) process.stderr.write(`gnuplot: ${res.error?.message ?? res.stderr}\n`)
  return res.status === 0
}

/** Writes the plots it can; returns their paths relative to the repo root (or why one is missing). */
export function plot (dir: string, dataDir: string, data: PlotData): string[] {
  const done: string[] = []
  const head = 'set terminal pngcairo size 900,540 font "sans,11"\nset grid\nset key top left\n'
  if (data.fanout.length > 0) {
    const dat = resolve(dataDir, 'fanout.dat')
    writeFileSync(dat, '# connections realtime_p50 realtime_p99 ws_p50 ws_p99\n' +
      data.fanout.map((f) => `${f.connections} ${f.realtime.p50} ${f.realtime.p99} ${f.ws.p50} ${f.ws.p99}`).join('\n') + '\n')
    const png = resolve(dir, 'fanout-latency.png')
    if (gnuplot(`${head}set output "${png}"\nset title "Fan-out latency vs connections (rooms of 10, 2 msg/s per room)"\n` +
      'set xlabel "connections"\nset ylabel "ms (send → every member received)"\nset logscale y\nset xtics (1000, 2000, 5000, 10000)\n' +
      `plot "${dat}" u 1:2 w lp lw 2 t "realtime p50", "" u 1:3 w lp lw 2 t "realtime p99", "" u 1:4 w lp dt 2 t "bare ws p50", "" u 1:5 w lp dt 2 t "bare ws p99"\n`)) done.push(relative(ROOT, png))
  }
  if (data.samples.length > 1) {
    // Events committed per second, over 0.5 s windows, from the worker's commit progress.
    const rates: string[] = []
    let [t0, n0] = data.samples[0]!
    for (const [t, n] of data.samples) {
      if (t - t0 >= 500) { rates.push(`${(t / 1000).toFixed(1)} ${((n - n0) * 1000 / (t - t0)).toFixed(0)}`); t0 = t; n0 = n }
    }
    const dat = resolve(dataDir, 'archive-throughput.dat')
    writeFileSync(dat, '# seconds events_per_second\n' + rates.join('\n') + '\n')
    const png = resolve(dir, 'archive-throughput.png')
    if (gnuplot(`${head}set output "${png}"\nset title "etl-worker archive throughput over time (draining a pre-filled topic)"\n` +
      `set xlabel "s since start"\nset ylabel "events committed per second"\nplot "${dat}" u 1:2 w lp lw 2 t "etl-worker"\n`)) done.push(relative(ROOT, png))
  }
  if (data.syncErrors.length > 0) {
    const dat = resolve(dataDir, 'sync-error.dat')
    writeFileSync(dat, data.syncErrors.join('\n') + '\n')
    const png = resolve(dir, 'sync-error.png')
    if (gnuplot(`${head}set output "${png}"\nset title "Distribution of sync error"\nset xlabel "ms"\nset ylabel "samples"\n` +
      `bin(x)=5*floor(x/5)\nplot "${dat}" u (bin($1)):(1) smooth freq w boxes t "sync error"\n`)) done.push(relative(ROOT, png))
  } else {
    done.push('sync-error distribution: not drawn (no accuracy harness results)')
  }
  return done
}
