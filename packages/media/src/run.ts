import { spawn } from 'node:child_process'
import { MediaError } from './errors.js'

export interface RunOptions {
  /** Seconds of media the command produces: with `-progress pipe:1`, progress is out_time / this. */
  durationSec?: number
  onProgress?: (fraction: number) => void
  signal?: AbortSignal
}

/**
 * Runs ffmpeg or ffprobe (Debian's, from PATH) as a child process; resolves with stdout, rejects
 * with the last lines of stderr. An aborted signal kills the child: no orphan encoders.
 */
export function run (command: 'ffmpeg' | 'ffprobe', args: string[], opts: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) { reject(new MediaError('MEDIA_CANCELLED', 'cancelled')); return }
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    let partial = ''
    const onAbort = () => child.kill('SIGKILL')
    opts.signal?.addEventListener('abort', onAbort, { once: true })
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (!opts.onProgress) { stdout += chunk; return }
      partial += chunk
      const lines = partial.split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines) {
        const m = /^out_time_(?:us|ms)=(\d+)/.exec(line)
        if (m && opts.durationSec) opts.onProgress(Math.min(1, Number(m[1]) / 1e6 / opts.durationSec))
      }
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr = (stderr + chunk).slice(-4000) })
    child.on('error', (err: NodeJS.ErrnoException) => {
      opts.signal?.removeEventListener('abort', onAbort)
      reject(err.code === 'ENOENT'
        ? new MediaError('MEDIA_FFMPEG_FAILED', `${command} is not installed (Debian: apt-get install -y ffmpeg)`)
        : err)
    })
    child.on('close', (code) => {
      opts.signal?.removeEventListener('abort', onAbort)
      if (opts.signal?.aborted) { reject(new MediaError('MEDIA_CANCELLED', 'cancelled')); return }
      if (code === 0) { resolve(stdout); return }
      const tail = stderr.trim().split('\n').slice(-3).join(' / ')
      reject(new MediaError('MEDIA_FFMPEG_FAILED', `${command} failed (exit ${code}): ${tail}`))
    })
  })
}
