import type { FastifyBaseLogger } from 'fastify'
import type pg from 'pg'
import type { RoomsService } from './rooms-service.js'

interface SweeperDeps { pool: pg.Pool, rooms: RoomsService, log: FastifyBaseLogger }

/** Closes active rooms that have been empty for longer than the grace period. */
export function startEmptyRoomSweeper (deps: SweeperDeps, graceMs: number, intervalMs: number) {
  let running: Promise<void> | undefined
  const sweep = async () => {
    const { rows } = await deps.pool.query<{ id: string }>(`SELECT id FROM rooms
      WHERE status = 'active' AND emptied_at IS NOT NULL AND emptied_at <= now() - make_interval(secs => $1::double precision / 1000)
      ORDER BY emptied_at LIMIT 100`, [graceMs])
    for (const row of rows) await deps.rooms.closeBySystem(row.id, 'empty')
  }
  const timer = setInterval(() => {
    if (running) return
    running = sweep().catch((err) => deps.log.warn({ err }, 'empty-room sweep failed')).finally(() => { running = undefined })
  }, intervalMs)
  return {
    async stop () { clearInterval(timer); await running }
  }
}

/**
 * Hands the host role on when a host has been offline for the grace period and someone else is
 * online (rooms-service handOverAbsentHost re-checks under the room's lock). A host who vanishes
 * never strands a room: the room keeps a host who can pause and seek.
 */
export function startHostSweeper (deps: SweeperDeps, graceMs: number, intervalMs: number) {
  let running: Promise<void> | undefined
  const sweep = async () => {
    const { rows } = await deps.pool.query<{ room_id: string }>(`SELECT h.room_id FROM room_members h
      WHERE h.role = 'host' AND h.left_at IS NULL AND NOT h.online
        AND h.offline_since <= now() - make_interval(secs => $1::double precision / 1000)
        AND EXISTS (SELECT 1 FROM room_members m WHERE m.room_id = h.room_id AND m.left_at IS NULL AND m.online AND m.user_id <> h.user_id)
      ORDER BY h.offline_since LIMIT 100`, [graceMs])
    for (const row of rows) await deps.rooms.handOverAbsentHost(row.room_id, graceMs)
  }
  const timer = setInterval(() => {
    if (running) return
    running = sweep().catch((err) => deps.log.warn({ err }, 'host hand-over sweep failed')).finally(() => { running = undefined })
  }, intervalMs)
  return {
    async stop () { clearInterval(timer); await running }
  }
}
