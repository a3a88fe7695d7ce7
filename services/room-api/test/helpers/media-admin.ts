// What the media tests share: the library's settings for a test app and the admin API's add-and-wait.
import { tempDir } from '@watch-together/test-kit'
import type { buildTestApp } from './app.js'

export const SECRET = 'media-test-secret-0123456789abcdef-xyz'
export const ADMIN = 'media-test-admin-token-0123456789'
export const admin = { authorization: `Bearer ${ADMIN}` }

/** A fresh library root and data folder (removed when `t` ends), and the settings pointing a test app at them. */
export function mediaEnv (t: Parameters<typeof tempDir>[0]) {
  const root = tempDir(t, 'wt-media-lib-')
  const dataDir = tempDir(t, 'wt-media-data-')
  const env = {
    MEDIA_LIBRARY_ROOT: root,
    MEDIA_DATA_DIR: dataDir,
    MEDIA_URL_SECRET: SECRET,
    MEDIA_ADMIN_TOKEN: ADMIN,
    MEDIA_X264_PRESET: 'ultrafast',
    MEDIA_MAX_BYTES: String(5 * 1024 * 1024)
  }
  return { root, dataDir, env }
}

export interface Job { id: string, status: string, progress: number, itemIds: string[], error: { code: string } | null }

/** Adds `input` through the admin API and polls its job until it is done or failed. */
export async function addAndWait (app: Awaited<ReturnType<typeof buildTestApp>>['app'], input: string): Promise<Job> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/admin/media', headers: admin, payload: { input } })
  if (res.statusCode !== 202) throw new Error(`add ${input}: ${res.statusCode} ${res.body}`)
  const { id } = res.json().job as Job
  for (let i = 0; i < 1200; i++) {
    const job = (await app.inject({ url: `/api/v1/admin/media/jobs/${id}`, headers: admin })).json().job as Job
    if (job.status === 'done' || job.status === 'failed') return job
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`job ${id} did not finish`)
}
