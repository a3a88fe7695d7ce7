import type { FastifyBaseLogger } from 'fastify'
import type { Config } from '../config.js'
import type { RealtimeMetrics } from '../metrics.js'
import type { RedisClient } from '../plugins/redis.js'
import type { Counters } from './counters.js'
import type { FilmEnd } from './film-end.js'
import type { Hub } from './hub.js'
import type { InstanceRegistry } from './instance-registry.js'
import type { Presence } from './presence.js'
import type { ReadyWait } from './ready-wait.js'
import type { RoomLog } from './room-log.js'
import type { RoomStore } from './room-store.js'

/** What the frame handlers need, built once per app (plugins/realtime.ts). */
export interface Realtime {
  config: Config
  redis: RedisClient
  /** The connection in subscribe mode (pub/sub), shared by the hub and the legacy protocol. */
  subscriber: RedisClient
  log: FastifyBaseLogger
  roomLog: RoomLog
  store: RoomStore
  hub: Hub
  presence: Presence
  metrics: RealtimeMetrics
  readyWait: ReadyWait
  filmEnd: FilmEnd
  registry: InstanceRegistry
  counters: Counters
  /** 0 when allowed, else ms until allowed again. */
  chatLimiter: (key: string) => Promise<number>
}

export { actOf, isHost, refuseAct, type Session } from './session.js'
