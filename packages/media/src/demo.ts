import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf'
const VERSION = 'v1'

export interface DemoOptions {
  /** Where generated sources are kept between runs (e.g. ~/.cache/watch-together/demo-media). */
  cacheDir: string
  /** Copied here (under the library root) for ingest. */
  libraryDir: string
  /** Length of each demo film. */
  minutes?: number
  log?: (line: string) => void
}

const FILMS = [
  { name: 'Harbor.Clock.2024', title: 'Harbor Clock', hue: 0, tones: [440, 660], description: 'A test film to judge sync by eye and ear: burned-in timecode and frame counter, a beep every second (English 440 Hz, Russian 660 Hz).' },
  { name: 'Night.Metronome.2025', title: 'Night Metronome', hue: 140, tones: [523, 784], description: 'Второй тестовый фильм: таймкод и счётчик кадров на картинке, сигнал каждую секунду, две звуковые дорожки и двое субтитров.' }
]
const SONGS = [
  { name: '01 Morning Tram', title: 'Morning Tram', freq: 392, color: 'orange' },
  { name: '02 Harbor Lights', title: 'Harbor Lights', freq: 330, color: 'teal' },
  { name: '03 Last Train', title: 'Last Train', freq: 294, color: 'purple' }
]

const ffmpeg = (args: string[]) => execFileSync('ffmpeg', ['-v', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'inherit'] })
const stamp = (s: number) => `${String(Math.floor(s / 3600)).padStart(2, '0')}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')},000`

function subtitles (seconds: number, say: (s: number) => string): string {
  const cues: string[] = []
  for (let s = 0, n = 1; s + 4 <= seconds; s += 5, n++) cues.push(`${n}\n${stamp(s)} --> ${stamp(s + 4)}\n${say(s)}\n`)
  return cues.join('\n')
}

/**
 * Demo media made by ffmpeg, cached: films of `minutes` with a burned-in timecode and frame counter,
 * a beep every second on two audio tracks (eng, rus, different pitches), English and Russian
 * side-car subtitles (a cue every 5 s naming the time); three tagged songs with cover art. The
 * sources are made once into the cache and copied into the library folder; ingest does the rest.
 */
export function makeDemoMedia (opts: DemoOptions): string {
  const minutes = opts.minutes ?? 5
  const seconds = minutes * 60
  const cache = join(opts.cacheDir, `${VERSION}-${minutes}min`)
  mkdirSync(cache, { recursive: true })
  mkdirSync(join(opts.libraryDir, 'films'), { recursive: true })
  mkdirSync(join(opts.libraryDir, 'music'), { recursive: true })
  const font = existsSync(FONT) ? `fontfile=${FONT}:` : ''
  for (const film of FILMS) {
    const file = join(cache, `${film.name}.mkv`)
    if (!existsSync(file)) {
      opts.log?.(`demo: making ${film.title} (${minutes} min, once)`)
      const overlay = font
        ? `,drawtext=${font}timecode='00\\:00\\:00\\:00':rate=24:fontsize=32:fontcolor=white:box=1:boxcolor=black@0.6:x=16:y=16,` +
          `drawtext=${font}text='frame %{frame_num}':fontsize=32:fontcolor=white:box=1:boxcolor=black@0.6:x=16:y=60`
        : ''
      ffmpeg(['-f', 'lavfi', '-i', `testsrc2=size=640x360:rate=24:duration=${seconds}`,
        '-f', 'lavfi', '-i', `sine=frequency=${film.tones[0]}:beep_factor=2:duration=${seconds}`,
        '-f', 'lavfi', '-i', `sine=frequency=${film.tones[1]}:beep_factor=2:duration=${seconds}`,
        '-filter_complex', `[0:v]hue=h=${film.hue}${overlay}[v]`, '-map', '[v]', '-map', '1:a', '-map', '2:a',
        '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '26', '-g', '48', '-c:a', 'aac', '-b:a', '96k',
        '-metadata:s:a:0', 'language=eng', '-metadata:s:a:1', 'language=rus',
        '-metadata', `title=${film.title}`, '-metadata', `description=${film.description}`, '-metadata', 'genre=Test',
        `${file}.tmp.mkv`])
      renameSync(`${file}.tmp.mkv`, file)
      writeFileSync(join(cache, `${film.name}.en.srt`), subtitles(seconds, (s) => `${film.title}: ${Math.floor(s / 60)} min ${s % 60} s`))
      writeFileSync(join(cache, `${film.name}.ru.srt`), subtitles(seconds, (s) => `${film.title}: ${Math.floor(s / 60)} мин ${s % 60} с`))
    }
    for (const ext of ['.mkv', '.en.srt', '.ru.srt']) {
      const to = join(opts.libraryDir, 'films', `${film.name}${ext}`)
      if (!existsSync(to)) copyFileSync(join(cache, `${film.name}${ext}`), to)
    }
  }
  for (const [i, song] of SONGS.entries()) {
    const file = join(cache, `${song.name}.mp3`)
    if (!existsSync(file)) {
      const cover = join(cache, `${song.name}.png`)
      ffmpeg(['-f', 'lavfi', '-i', `color=c=${song.color}:size=400x400:duration=1`, '-frames:v', '1', cover])
      ffmpeg(['-f', 'lavfi', '-i', `sine=frequency=${song.freq}:beep_factor=1.5:duration=40`, '-i', cover, '-map', '0:a', '-map', '1:v',
        '-c:a', 'libmp3lame', '-b:a', '128k', '-c:v', 'png', '-disposition:v', 'attached_pic', '-id3v2_version', '3',
        '-metadata', `title=${song.title}`, '-metadata', 'artist=The Demo Quartet', '-metadata', 'album=Station Sketches',
        '-metadata', `track=${i + 1}`, '-metadata', 'date=2026', '-metadata', 'genre=Jazz', `${file}.tmp.mp3`])
      renameSync(`${file}.tmp.mp3`, file)
    }
    const to = join(opts.libraryDir, 'music', `${song.name}.mp3`)
    if (!existsSync(to)) copyFileSync(file, to)
  }
  return opts.libraryDir
}
