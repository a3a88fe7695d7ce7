// Real media for the media library's tests, made here by Debian's ffmpeg (small and short: the
// tests check what ingest does with streams, languages, tags and damage, not picture quality).
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const ffmpeg = (args: string[]) => execFileSync('ffmpeg', ['-v', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'] })

export const SRT_EN = '1\n00:00:00,500 --> 00:00:03,000\nThe dragon wakes\n\n2\n00:00:03,500 --> 00:00:06,000\nRun!\n'
export const SRT_RU = '1\n00:00:00,500 --> 00:00:03,000\nДракон просыпается\n\n2\n00:00:03,500 --> 00:00:06,000\nБеги!\n'

/**
 * A film: testsrc picture (320×180, 24 fps), two audio tracks (eng 440 Hz, rus 660 Hz), an embedded
 * English subtitle stream, a Russian side-car `.ru.srt`, and tags (title, Russian description, genre).
 */
export function makeFilm (dir: string, name: string, opts: { seconds?: number, title?: string, description?: string } = {}): string {
  mkdirSync(dir, { recursive: true })
  const seconds = opts.seconds ?? 8
  const srt = join(dir, `${name}.en-embedded.srt.tmp`)
  writeFileSync(srt, SRT_EN)
  const out = join(dir, `${name}.mkv`)
  ffmpeg(['-f', 'lavfi', '-i', `testsrc=size=320x180:rate=24:duration=${seconds}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:duration=${seconds}`, '-f', 'lavfi', '-i', `sine=frequency=660:duration=${seconds}`,
    '-f', 'srt', '-i', srt,
    '-map', '0:v', '-map', '1:a', '-map', '2:a', '-map', '3:s',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-c:s', 'srt',
    '-metadata:s:a:0', 'language=eng', '-metadata:s:a:1', 'language=rus', '-metadata:s:s:0', 'language=eng',
    '-metadata', `title=${opts.title ?? 'Огненные крылья'}`,
    '-metadata', `description=${opts.description ?? 'Драконы возвращаются в долину, и только девочка может их остановить.'}`,
    '-metadata', 'genre=Fantasy', out])
  writeFileSync(join(dir, `${name}.ru.srt`), SRT_RU)
  return out
}

/** A music track: MP3 with ID3 tags (title, artist, album, track, year, genre) and a cover picture. */
export function makeSong (dir: string, name: string, tags: { title: string, artist: string, album: string, track: number, year: number }): string {
  mkdirSync(dir, { recursive: true })
  const cover = join(dir, `${name}.cover.png`)
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=200x200:rate=1:duration=1', '-frames:v', '1', cover])
  const out = join(dir, `${name}.mp3`)
  ffmpeg(['-f', 'lavfi', '-i', 'sine=frequency=523:duration=5', '-i', cover, '-map', '0:a', '-map', '1:v',
    '-c:a', 'libmp3lame', '-b:a', '96k', '-c:v', 'png', '-disposition:v', 'attached_pic', '-id3v2_version', '3',
    '-metadata', `title=${tags.title}`, '-metadata', `artist=${tags.artist}`, '-metadata', `album=${tags.album}`,
    '-metadata', `track=${tags.track}`, '-metadata', `date=${tags.year}`, '-metadata', 'genre=Jazz', out])
  return out
}

/** The first `fraction` of a file's bytes: a download that stopped. */
export function truncate (file: string, out: string, fraction = 0.4): string {
  const bytes = readFileSync(file)
  writeFileSync(out, bytes.subarray(0, Math.floor(bytes.length * fraction)))
  return out
}

/** Video in a codec outside the supported list (HuffYUV in AVI). */
export function makeUnsupported (dir: string): string {
  const out = join(dir, 'huffyuv.avi')
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=64x64:rate=5:duration=1', '-c:v', 'huffyuv', out])
  return out
}

/**
 * A tagged music file in another container: FLAC and M4A (AAC) carry the cover as an attached
 * picture stream; Ogg Vorbis as a base64 METADATA_BLOCK_PICTURE comment (a FLAC picture block),
 * the way taggers write it, with its tags in the stream's comments rather than the container.
 */
export function makeTaggedAudio (dir: string, name: string, format: 'flac' | 'm4a' | 'ogg',
  tags: { title: string, artist: string, album: string, track: number, year: number, genre: string }): string {
  mkdirSync(dir, { recursive: true })
  const cover = join(dir, `${name}.cover.png`)
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=200x200:rate=1:duration=1', '-frames:v', '1', cover])
  const out = join(dir, `${name}.${format}`)
  const meta = ['-metadata', `title=${tags.title}`, '-metadata', `artist=${tags.artist}`, '-metadata', `album=${tags.album}`,
    '-metadata', `track=${tags.track}`, '-metadata', `date=${tags.year}`, '-metadata', `genre=${tags.genre}`]
  const tone = ['-f', 'lavfi', '-i', 'sine=frequency=392:duration=5']
  if (format === 'ogg') {
    const png = readFileSync(cover)
    const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n); return b }
    const mime = Buffer.from('image/png')
    // Picture type 3 (front cover), MIME, empty description, 200×200, 24 bits, no palette, the data.
    const block = Buffer.concat([u32(3), u32(mime.length), mime, u32(0), u32(200), u32(200), u32(24), u32(0), u32(png.length), png])
    ffmpeg([...tone, '-c:a', 'libvorbis', ...meta, '-metadata', `METADATA_BLOCK_PICTURE=${block.toString('base64')}`, out])
  } else {
    ffmpeg([...tone, '-i', cover, '-map', '0:a', '-map', '1:v', '-c:a', format === 'flac' ? 'flac' : 'aac', '-c:v', 'png',
      '-disposition:v', 'attached_pic', ...meta, out])
  }
  return out
}
