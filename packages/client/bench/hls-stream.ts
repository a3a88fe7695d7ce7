// The HLS stream browser-sync.ts plays with --hls: a 60 s 640×360 test film (testsrc, with a frame
// counter) packaged by packages/media exactly as ingest packages a film, kept in
// node_modules/.cache/wt-hls-bench/ (made once: about half a minute of ffmpeg).
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { packageVideo, probe } from '@watch-together/media'

const CACHE = fileURLToPath(new URL('../node_modules/.cache/wt-hls-bench/v1-640x360-60s-2s', import.meta.url))

export async function hlsStream (): Promise<string> {
  if (existsSync(join(CACHE, 'master.m3u8'))) return CACHE
  const work = `${CACHE}.tmp`
  rmSync(work, { recursive: true, force: true })
  mkdirSync(work, { recursive: true })
  const source = join(work, 'source.mp4')
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=24:duration=60',
    '-c:v', 'libx264', '-preset', 'ultrafast', source])
  const out = join(work, 'hls')
  mkdirSync(out)
  await packageVideo(source, await probe(source), out, { preset: 'veryfast', segmentSec: 2 })
  renameSync(out, CACHE)
  rmSync(work, { recursive: true, force: true })
  return CACHE
}
