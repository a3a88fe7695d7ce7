import type { FastifyBaseLogger } from 'fastify'
import type pg from 'pg'
import { roomsEmptyPastGrace, roomsWithAbsentHost } from './rooms-repository.js'
import type { RoomsService } from './rooms-service.js'

interface SweeperDeps { pool: pg.Pool, rooms: RoomsService, log: FastifyBaseLogger }

/** Closes active rooms that have been empty for longer than the grace period. */
export function startEmptyRoomSweeper (deps: SweeperDeps, graceMs: number, intervalMs: number) {
  let running: Promise<void> | undefined
  const sweep = async () => {
    for (const roomId of await roomsEmptyPastGrace(deps.pool, graceMs)) await deps.rooms.closeBySystem(roomId, 'empty')
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
    for (const roomId of await roomsWithAbsentHost(deps.pool, graceMs)) await deps.rooms.handOverAbsentHost(roomId, graceMs)
  }
  const timer = setInterval(() => {
    if (running) return
    running = sweep().catch((err) => deps.log.warn({ err }, 'host hand-over sweep failed')).finally(() => { running = undefined })
  }, intervalMs)
  return {
    async stop () { clearInterval(timer); await running }
  }
}
