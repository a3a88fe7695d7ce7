// The media library for the browser tests: a library and data folder of the test's own, room-api's
// settings for them, and an ingest through the admin API that waits for its job.
import { tempDir, waitFor } from '@watch-together/test-kit'

const ADMIN = 'web-e2e-media-admin-token-0123'

/** Fresh folders (removed when `t` ends); `roomApi` goes to startStack's room-api settings (plus any of the test's own). */
export function mediaLibrary (t: Parameters<typeof tempDir>[0], extra: Record<string, string> = {}) {
  const root = tempDir(t, 'wt-web-media-lib-')
  const dataDir = tempDir(t, 'wt-web-media-data-')
  return { root, roomApi: { MEDIA_LIBRARY_ROOT: root, MEDIA_DATA_DIR: dataDir, MEDIA_ADMIN_TOKEN: ADMIN, MEDIA_X264_PRESET: 'ultrafast', ...extra } }
}

/** Adds `input` through POST /api/v1/admin/media and waits for its job to end (done or failed). */
export async function ingest (base: string, input: string): Promise<{ status: string, error: unknown }> {
  const admin = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' }
  const added = await (await fetch(`${base}/api/v1/admin/media`, { method: 'POST', headers: admin, body: JSON.stringify({ input }) })).json()
  return await waitFor('ingest done', async () => {
    const j = (await (await fetch(`${base}/api/v1/admin/media/jobs/${added.job.id}`, { headers: admin })).json()).job
    return j.status === 'done' || j.status === 'failed' ? j : undefined
  }, 300_000, 250)
}
