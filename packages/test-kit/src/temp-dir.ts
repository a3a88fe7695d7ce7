import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

interface Teardown { teardown (fn: () => unknown): void }

/**
 * A fresh folder under the OS's temp dir, removed with everything in it when `t` ends: the media
 * tests write films, HLS renditions and sprites there, and left behind they filled /tmp run after run.
 */
export function tempDir (t: Teardown, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  t.teardown(() => { rmSync(dir, { recursive: true, force: true }) })
  return dir
}
