import { extname } from 'node:path'
import { MediaError } from './errors.js'
import { run } from './run.js'

export interface ProbedStream { index: number, codec: string, language: string | null, title: string | null }
export interface ProbedVideo extends ProbedStream { width: number, height: number, fps: number }
export interface ProbedAudio extends ProbedStream { channels: number }
export interface ProbedSubtitle extends ProbedStream { text: boolean }

export interface Probe {
  durationSec: number
  formatName: string
  sizeBytes: number | null
  video: ProbedVideo | null
  /** An embedded picture (cover art of a music file), by stream index. */
  coverArt: number | null
  audio: ProbedAudio[]
  subtitles: ProbedSubtitle[]
  /** Container tags, keys lower-cased (title, artist, album, track, date, genre, language, …). */
  tags: Record<string, string>
}

/** Codecs we package and test; anything else is refused with MEDIA_UNSUPPORTED_CODEC, not tried. */
export const VIDEO_CODECS = new Set(['h264', 'hevc', 'vp8', 'vp9', 'av1', 'mpeg4', 'mpeg2video', 'mpeg1video', 'theora', 'prores', 'msmpeg4v3', 'vc1', 'wmv3'])
export const AUDIO_CODECS = new Set(['aac', 'mp3', 'mp2', 'opus', 'vorbis', 'flac', 'alac', 'ac3', 'eac3', 'dts', 'wmav2',
  'pcm_s16le', 'pcm_s24le', 'pcm_s32le', 'pcm_f32le', 'pcm_s16be', 'pcm_u8'])
/** Text subtitles become WebVTT; bitmap ones (DVD, PGS) are skipped (no OCR). */
const TEXT_SUBTITLES = new Set(['subrip', 'srt', 'ass', 'ssa', 'webvtt', 'mov_text', 'text'])
const PICTURE_CODECS = new Set(['mjpeg', 'png', 'bmp', 'gif', 'webp'])
export const MEDIA_EXTENSIONS = new Set(['.mp4', '.m4v', '.mkv', '.webm', '.mov', '.avi', '.ts', '.m2ts', '.mpg', '.mpeg', '.wmv', '.ogv',
  '.mp3', '.flac', '.ogg', '.oga', '.opus', '.m4a', '.aac', '.wav', '.wma'])

interface RawStream {
  index: number
  codec_type?: string
  codec_name?: string
  width?: number
  height?: number
  avg_frame_rate?: string
  channels?: number
  disposition?: { attached_pic?: number }
  tags?: Record<string, string>
}
interface RawProbe { format?: { format_name?: string, duration?: string, size?: string, tags?: Record<string, string> }, streams?: RawStream[] }

const lower = (tags: Record<string, string> | undefined) => Object.fromEntries(Object.entries(tags ?? {}).map(([k, v]) => [k.toLowerCase(), v]))
const language = (tags: Record<string, string>) => {
  const l = tags.language?.toLowerCase()
  return l && l !== 'und' && /^[a-z]{2,3}$/.test(l) ? l : null
}

/**
 * What ffprobe says about a file or a URL. Refuses what is not media (MEDIA_NOT_MEDIA), cannot
 * be read (MEDIA_CORRUPT: truncated, damaged) or uses a codec outside the lists above.
 */
export async function probe (input: string, opts: { signal?: AbortSignal, timeoutSec?: number } = {}): Promise<Probe> {
  let raw: RawProbe
  try {
    const args = ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams']
    if (/^https?:/.test(input)) args.push('-rw_timeout', String((opts.timeoutSec ?? 15) * 1e6))
    raw = JSON.parse(await run('ffprobe', [...args, input], { signal: opts.signal })) as RawProbe
  } catch (err) {
    if (err instanceof MediaError && err.code === 'MEDIA_CANCELLED') throw err
    const detail = err instanceof Error ? err.message.replace(/^ffprobe failed \(exit \d+\): /, '') : String(err)
    if (/^https?:/.test(input)) throw new MediaError('MEDIA_URL_UNREACHABLE', `cannot read ${input}: ${detail}`)
    if (MEDIA_EXTENSIONS.has(extname(input).toLowerCase())) throw new MediaError('MEDIA_CORRUPT', `not readable as media (corrupt or truncated): ${detail}`)
    throw new MediaError('MEDIA_NOT_MEDIA', `not a media file: ${detail}`)
  }
  const streams = raw.streams ?? []
  const formatName = raw.format?.format_name ?? ''
  const tags: Record<string, string> = lower(raw.format?.tags)
  const base = (s: RawStream) => { const t = lower(s.tags); return { index: s.index, codec: s.codec_name ?? 'unknown', language: language(t), title: t.title ?? null } }
  const videoStreams = streams.filter((s) => s.codec_type === 'video' && !s.disposition?.attached_pic)
  const cover = streams.find((s) => s.codec_type === 'video' && (s.disposition?.attached_pic || PICTURE_CODECS.has(s.codec_name ?? '')))
  const audio = streams.filter((s) => s.codec_type === 'audio').map((s) => ({ ...base(s), channels: s.channels ?? 2 }))
  const subtitles = streams.filter((s) => s.codec_type === 'subtitle').map((s) => ({ ...base(s), text: TEXT_SUBTITLES.has(s.codec_name ?? '') }))
  const v = videoStreams.find((s) => !PICTURE_CODECS.has(s.codec_name ?? ''))
  // A text file reads as the "tty" format with an "ansi" video stream; an image as one picture.
  if (formatName === 'tty' || (!v && audio.length === 0) || (videoStreams.some((s) => s.codec_name === 'ansi'))) {
    throw new MediaError('MEDIA_NOT_MEDIA', `not a video or audio file (ffprobe reads it as ${formatName || 'nothing'})`)
  }
  if (v && !VIDEO_CODECS.has(v.codec_name ?? '')) throw new MediaError('MEDIA_UNSUPPORTED_CODEC', `video codec ${v.codec_name ?? 'unknown'} is not supported (supported: ${[...VIDEO_CODECS].join(', ')})`)
  const badAudio = audio.find((a) => !AUDIO_CODECS.has(a.codec))
  if (badAudio) throw new MediaError('MEDIA_UNSUPPORTED_CODEC', `audio codec ${badAudio.codec} is not supported (supported: ${[...AUDIO_CODECS].join(', ')})`)
  // Ogg (Vorbis, Opus) keeps its tags in the audio stream's comments, not the container: for a music
  // file the first audio stream's tags fill in what the container lacks. Never for a film, whose audio
  // streams' titles name the tracks ("Commentary"), not the film.
  if (!v) for (const [k, value] of Object.entries(lower(streams.find((s) => s.codec_type === 'audio')?.tags))) tags[k] ??= value
  const durationSec = Number(raw.format?.duration)
  if (!Number.isFinite(durationSec) || durationSec <= 0) throw new MediaError('MEDIA_CORRUPT', 'no duration: the file is damaged or truncated')
  const [num, den] = (v?.avg_frame_rate ?? '25/1').split('/').map(Number)
  const fps = num && den ? num / den : 25
  return {
    durationSec,
    formatName,
    sizeBytes: raw.format?.size ? Number(raw.format.size) : null,
    video: v ? { ...base(v), width: v.width ?? 0, height: v.height ?? 0, fps: fps > 0 && fps < 240 ? fps : 25 } : null,
    coverArt: cover && cover !== v ? cover.index : null,
    audio,
    subtitles,
    tags
  }
}
