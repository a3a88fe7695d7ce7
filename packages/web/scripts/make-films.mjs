// Generates the demo films (small silent WebM files) and their posters with Debian's ffmpeg, into
// dist/media/, where room-api serves them with HTTP Range support. Encoded once: the results are
// kept in node_modules/.cache/wt-films/ (keyed by the encoding settings) and copied on each build.
import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, renameSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
/** Same ids as room-api's demo-films migrations; the hue tells them apart on screen. */
export const FILMS = [
  { id: 'big-buck-bunny', hue: 90 },
  { id: 'sintel', hue: 200 },
  { id: 'tears-of-steel', hue: 300 },
  { id: 'elephants-dream', hue: 30 },
  { id: 'cosmos-laundromat', hue: 150 }
]
export const DURATION_SEC = 60
// A key frame every second so seeks land quickly; testsrc draws a frame counter (no fonts needed).
const SETTINGS = `v1-320x180-24fps-${DURATION_SEC}s-vp8-250k-g24`
const cache = join(root, 'node_modules', '.cache', 'wt-films', SETTINGS)
const out = join(root, 'dist', 'media')

function ensureFfmpeg () {
  try {
    execFileSync('ffmpeg', ['-version'], { stdio: 'ignore' })
    return
  } catch {}
  if (process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
    console.error('make-films: installing ffmpeg from Debian (apt-get)')
    // The local stack may be installing at the same time: wait for dpkg's lock rather than fail.
    execFileSync('sh', ['-c', 'apt-get -o DPkg::Lock::Timeout=600 update -qq && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq ffmpeg'], { stdio: 'inherit' })
    return
  }
  throw new Error('make-films: ffmpeg is required to build the demo films (Debian: apt-get install -y ffmpeg)')
}

function encode (film) {
  const webm = join(cache, `${film.id}.webm`)
  const jpg = join(cache, `${film.id}.jpg`)
  if (existsSync(webm) && existsSync(jpg)) return
  ensureFfmpeg()
  const tmp = `${webm}.tmp.webm`
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc=size=320x180:rate=24:duration=${DURATION_SEC}`,
    '-vf', `hue=h=${film.hue}`, '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '250k', '-g', '24', '-an', tmp])
  renameSync(tmp, webm)
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-ss', '5', '-i', webm, '-frames:v', '1', '-vf', 'scale=480:270', '-q:v', '4', jpg])
}

mkdirSync(cache, { recursive: true })
mkdirSync(out, { recursive: true })
for (const film of FILMS) {
  encode(film)
  copyFileSync(join(cache, `${film.id}.webm`), join(out, `${film.id}.webm`))
  copyFileSync(join(cache, `${film.id}.jpg`), join(out, `${film.id}.jpg`))
}
console.error(`make-films: ${FILMS.length} demo films in ${out}`)
