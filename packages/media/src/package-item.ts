import { readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { basename, dirname, extname, join } from 'node:path'
import { MediaError } from './errors.js'
import { languageLabel } from './languages.js'
import type { Manifest } from './manifest.js'
import type { Probe } from './probe.js'
import { run } from './run.js'

export interface PackageOptions {
  signal?: AbortSignal
  /** Progress of the current step, 0..1. */
  onProgress?: (step: string, fraction: number) => void
  /** Segment length in seconds (key frames are placed on segment boundaries). */
  segmentSec?: number
  /** x264 preset: `veryfast` by default; tests use `ultrafast`. */
  preset?: string
}

/** The ladder's heights and bitrates; a source gets the rungs at or below its own height (at least two). */
const LADDER = [
  { height: 1080, kbps: 5000 }, { height: 720, kbps: 2800 }, { height: 480, kbps: 1400 },
  { height: 360, kbps: 800 }, { height: 240, kbps: 400 }, { height: 144, kbps: 200 }
]
const even = (n: number) => Math.max(2, Math.round(n / 2) * 2)

export function ladderFor (width: number, height: number): Manifest['renditions'] {
  const fits = LADDER.filter((r) => r.height <= height).slice(0, 3)
  const rungs = fits.length >= 2
    ? fits
    : [{ height: even(height), kbps: Math.max(150, Math.round(height * height * 0.008)) },
        { height: even(height / 2), kbps: Math.max(80, Math.round(height * height * 0.002)) }]
  return rungs.map((r) => ({ name: `${r.height}p`, height: r.height, width: even(width * r.height / height), bitrateKbps: r.kbps }))
}

/**
 * Packages a probed video into `out`: an HLS master playlist with fMP4 (CMAF) segments, the ladder
 * above sharing one group of audio tracks (every audio track of the source, in AAC), WebVTT
 * subtitles (embedded text streams and side-car files), a poster and a thumbnail sprite.
 */
export async function packageVideo (input: string, probe: Probe, out: string, opts: PackageOptions = {}): Promise<Manifest> {
  const v = probe.video!
  const seg = opts.segmentSec ?? 2
  const gop = Math.max(1, Math.round(v.fps * seg))
  const renditions = ladderFor(v.width, v.height)
  const split = renditions.map((_, i) => `[s${i}]`).join('')
  const filter = `[0:${v.index}]split=${renditions.length}${split};` + renditions.map((r, i) => `[s${i}]scale=${r.width}:${r.height}[o${i}]`).join(';')
  const args = ['-v', 'error', '-y', '-nostats', '-progress', 'pipe:1', '-i', input, '-filter_complex', filter]
  for (const [i] of renditions.entries()) args.push('-map', `[o${i}]`)
  for (const a of probe.audio) args.push('-map', `0:${a.index}`)
  args.push('-c:v', 'libx264', '-preset', opts.preset ?? 'veryfast', '-pix_fmt', 'yuv420p', '-profile:v', 'main',
    '-g', String(gop), '-keyint_min', String(gop), '-sc_threshold', '0')
  for (const [i, r] of renditions.entries()) args.push(`-b:v:${i}`, `${r.bitrateKbps}k`, `-maxrate:v:${i}`, `${Math.round(r.bitrateKbps * 1.2)}k`, `-bufsize:v:${i}`, `${r.bitrateKbps * 2}k`)
  if (probe.audio.length) args.push('-c:a', 'aac', '-b:a', '128k', '-ac', '2')
  const audioTracks = probe.audio.map((a, i) => ({
    id: `a${i}`, language: a.language, label: languageLabel(a.language, a.title, `Audio ${i + 1}`), default: i === 0
  }))
  const group = probe.audio.length ? ',agroup:aud' : ''
  const map = [
    ...renditions.map((r, i) => `v:${i}${group},name:${r.name}`),
    ...audioTracks.map((a, i) => `a:${i},agroup:aud,name:${a.id}${a.language ? `,language:${a.language}` : ''}${a.default ? ',default:yes' : ''}`)
  ]
  args.push(...hlsArgs(out, seg, map.join(' ')), join(out, 'v%v', 'index.m3u8'))
  await run('ffmpeg', args, { signal: opts.signal, durationSec: probe.durationSec, onProgress: (f) => opts.onProgress?.('video', f) })
  await labelAudio(join(out, 'master.m3u8'), audioTracks)
  await checkComplete(join(out, `v${renditions[0]!.name}`, 'index.m3u8'), probe.durationSec)

  opts.onProgress?.('subtitles', 0)
  const subtitles = await extractSubtitles(input, probe, out, opts.signal)
  opts.onProgress?.('images', 0)
  const poster = await makePoster(input, probe, out, opts.signal)
  const thumbnails = await makeSprite(input, probe, out, opts.signal)
  return { version: 1, kind: 'film', durationSec: probe.durationSec, hls: 'master.m3u8', renditions, audioTracks, subtitles, poster, thumbnails, bytes: await folderBytes(out) }
}

/** A music file: one AAC rendition in HLS, and its cover art (an embedded picture) as the poster. */
export async function packageAudio (input: string, probe: Probe, out: string, opts: PackageOptions = {}): Promise<Manifest> {
  const a = probe.audio[0]!
  const args = ['-v', 'error', '-y', '-nostats', '-progress', 'pipe:1', '-i', input, '-map', `0:${a.index}`, '-c:a', 'aac', '-b:a', '192k', '-ac', '2',
    ...hlsArgs(out, opts.segmentSec ?? 4, 'a:0,name:audio'), join(out, 'v%v', 'index.m3u8')]
  await run('ffmpeg', args, { signal: opts.signal, durationSec: probe.durationSec, onProgress: (f) => opts.onProgress?.('audio', f) })
  await checkComplete(join(out, 'vaudio', 'index.m3u8'), probe.durationSec)
  let poster: string | null = null
  if (probe.coverArt !== null) {
    opts.onProgress?.('images', 0)
    await run('ffmpeg', ['-v', 'error', '-y', '-i', input, '-map', `0:${probe.coverArt}`, '-frames:v', '1', '-vf', 'scale=480:-2', '-q:v', '4', join(out, 'poster.jpg')], { signal: opts.signal })
    poster = 'poster.jpg'
  }
  const audioTracks = [{ id: 'a0', language: a.language, label: languageLabel(a.language, a.title, 'Audio'), default: true }]
  return { version: 1, kind: 'track', durationSec: probe.durationSec, hls: 'master.m3u8', renditions: [], audioTracks, subtitles: [], poster, thumbnails: null, bytes: await folderBytes(out) }
}

function hlsArgs (out: string, segmentSec: number, streamMap: string): string[] {
  return ['-f', 'hls', '-hls_time', String(segmentSec), '-hls_playlist_type', 'vod', '-hls_segment_type', 'fmp4',
    '-hls_flags', 'independent_segments', '-hls_fmp4_init_filename', 'init.mp4',
    '-hls_segment_filename', join(out, 'v%v', 'seg_%05d.m4s'), '-master_pl_name', 'master.m3u8', '-var_stream_map', streamMap]
}

/** ffmpeg names audio renditions "audio_2"; players show NAME, so it gets the language's name. */
async function labelAudio (master: string, tracks: Manifest['audioTracks']) {
  let text = await readFile(master, 'utf8')
  for (const t of tracks) {
    text = text.replace(new RegExp(`(#EXT-X-MEDIA:TYPE=AUDIO[^\\n]*)NAME="[^"]*"([^\\n]*URI="v${t.id}/)`), `$1NAME="${t.label.replace(/"/g, "'")}"$2`)
  }
  await writeFile(master, text)
}

/** A truncated source packages without complaint but short: compare the playlist with the probe. */
async function checkComplete (playlist: string, durationSec: number) {
  const text = await readFile(playlist, 'utf8')
  const total = [...text.matchAll(/#EXTINF:([\d.]+)/g)].reduce((sum, m) => sum + Number(m[1]), 0)
  if (total < durationSec * 0.9 - 1) {
    throw new MediaError('MEDIA_CORRUPT', `the file ends early (${total.toFixed(1)} s of the ${durationSec.toFixed(1)} s it announces): truncated or damaged`)
  }
}

const SIDECAR = /\.(srt|ass|ssa|vtt)$/i

/** Embedded text subtitles and side-car files (`film.srt`, `film.ru.srt`, `film.rus.ass`) → WebVTT. */
async function extractSubtitles (input: string, probe: Probe, out: string, signal?: AbortSignal): Promise<Manifest['subtitles']> {
  const result: Manifest['subtitles'] = []
  for (const s of probe.subtitles.filter((s) => s.text)) {
    const id = `s${result.length}`
    await run('ffmpeg', ['-v', 'error', '-y', '-i', input, '-map', `0:${s.index}`, '-c:s', 'webvtt', '-f', 'webvtt', join(out, `${id}.vtt`)], { signal })
    result.push({ id, language: s.language, label: languageLabel(s.language, s.title, `Subtitles ${result.length + 1}`), file: `${id}.vtt` })
  }
  const stem = basename(input, extname(input))
  const siblings = await readdir(dirname(input)).catch(() => [] as string[])
  for (const name of siblings.sort()) {
    if (!SIDECAR.test(name) || !name.startsWith(`${stem}.`)) continue
    const middle = name.slice(stem.length + 1).replace(SIDECAR, '').toLowerCase()
    const language = /^[a-z]{2,3}$/.test(middle) ? middle : null
    const id = `s${result.length}`
    try {
      await run('ffmpeg', ['-v', 'error', '-y', '-i', join(dirname(input), name), '-c:s', 'webvtt', '-f', 'webvtt', join(out, `${id}.vtt`)], { signal })
    } catch (err) {
      if (err instanceof MediaError && err.code === 'MEDIA_CANCELLED') throw err
      continue // An unreadable side-car does not sink the film.
    }
    result.push({ id, language, label: languageLabel(language, null, name), file: `${id}.vtt` })
  }
  return result
}

async function makePoster (input: string, probe: Probe, out: string, signal?: AbortSignal): Promise<string> {
  const at = Math.min(10, probe.durationSec * 0.1)
  await run('ffmpeg', ['-v', 'error', '-y', '-ss', at.toFixed(2), '-i', input, '-map', `0:${probe.video!.index}`, '-frames:v', '1', '-vf', 'scale=-2:360', '-q:v', '4', join(out, 'poster.jpg')], { signal })
  return 'poster.jpg'
}

const THUMB_W = 160
const COLUMNS = 10

/** One JPEG of thumbnails (about 100, key frames only: fast) and a WebVTT index of their tiles. */
async function makeSprite (input: string, probe: Probe, out: string, signal?: AbortSignal): Promise<string> {
  const v = probe.video!
  const interval = Math.max(1, Math.ceil(probe.durationSec / 100))
  const count = Math.max(1, Math.ceil(probe.durationSec / interval))
  const rows = Math.ceil(count / COLUMNS)
  const th = even(THUMB_W * v.height / Math.max(1, v.width))
  await run('ffmpeg', ['-v', 'error', '-y', '-skip_frame', 'nokey', '-i', input, '-map', `0:${v.index}`,
    '-vf', `fps=1/${interval},scale=${THUMB_W}:${th},tile=${COLUMNS}x${rows}`, '-frames:v', '1', '-q:v', '5', join(out, 'thumbnails.jpg')], { signal })
  const stamp = (s: number) => new Date(Math.min(s, probe.durationSec) * 1000).toISOString().slice(11, 23)
  const cues = Array.from({ length: count }, (_, i) =>
    `${stamp(i * interval)} --> ${stamp((i + 1) * interval)}\nthumbnails.jpg#xywh=${(i % COLUMNS) * THUMB_W},${Math.floor(i / COLUMNS) * th},${THUMB_W},${th}`)
  await writeFile(join(out, 'thumbnails.vtt'), `WEBVTT\n\n${cues.join('\n\n')}\n`)
  return 'thumbnails.vtt'
}

async function folderBytes (dir: string): Promise<number> {
  let total = 0
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size
  }
  return total
}
