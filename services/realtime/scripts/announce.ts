// Sends an announcement to one room or to every active room (POST /admin/announcements):
//   pnpm announce "Intermission: back in 5 minutes" [--room ROOM_ID]
// REALTIME_URL (default http://127.0.0.1:3002) and ADMIN_TOKEN (default: the development token) say where.
import { parseArgs } from 'node:util'
import { DEV_ADMIN_TOKEN } from '@watch-together/protocol'

const { values, positionals } = parseArgs({ allowPositionals: true, options: { room: { type: 'string' } } })
const text = positionals.join(' ').trim()
if (!text) {
  console.error('usage: pnpm announce "text" [--room ROOM_ID]')
  process.exit(2)
}
const base = process.env.REALTIME_URL ?? 'http://127.0.0.1:3002'
const res = await fetch(`${base}/admin/announcements`, {
  method: 'POST',
  headers: { authorization: `Bearer ${process.env.ADMIN_TOKEN ?? DEV_ADMIN_TOKEN}`, 'content-type': 'application/json' },
  body: JSON.stringify({ text, ...(values.room ? { roomId: values.room } : {}) })
})
const body = await res.text()
if (!res.ok) {
  console.error(`announcement refused: ${res.status} ${body}`)
  process.exit(1)
}
const { rooms } = JSON.parse(body) as { rooms: number }
console.log(`announced to ${rooms} room${rooms === 1 ? '' : 's'}`)
