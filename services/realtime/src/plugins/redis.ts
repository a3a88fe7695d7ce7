import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createClient, createCluster } from 'redis'

// Keep reconnecting with capped backoff: a Redis restart (or a cluster failover) must not take the service down.
const socket = { connectTimeout: 5000, reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 3000) }

function makeClient (url: string) {
  return createClient({ url, socket })
}

/**
 * The command surface the service uses. A Redis Cluster client has the same command methods, each
 * routed to the node owning its first key (MOVED/ASK and failovers are followed by node-redis), so
 * one type serves both; what only one of them has (WAIT's routing, node events) is in `RedisTopology`.
 */
export type RedisClient = ReturnType<typeof makeClient>

function makeCluster (nodes: string[]) {
  return createCluster({
    rootNodes: nodes.map((node) => ({ url: `redis://${node}` })),
    defaults: { socket },
    // A resharding moves slots one by one: a command may be redirected more than once on the way.
    maxCommandRedirections: 16,
    // A node that stopped answering may have been replaced by its replica: ask the cluster for the new
    // topology half a second after the first failed reconnect (node-redis waits 5 s by default).
    topologyRefreshOnReconnectionAttemptStrategy: 500
  })
}
type ClusterClient = ReturnType<typeof makeCluster>

/** What differs between one Redis and a Redis Cluster, behind one interface. */
export interface RedisTopology {
  cluster: boolean
  /** Waits until `replicas` replicas of the node owning `key` hold every write made so far on it; how many did. */
  waitForReplicas (key: string, replicas: number, timeoutMs: number): Promise<number>
  /**
   * Calls `onTrouble` whenever a connection of `client` (the subscriber) dropped or moved, and `onBack`
   * once it is serving again: pub/sub lost what was published meanwhile (the room streams hold it).
   */
  watchSubscriber (client: RedisClient, handlers: { onTrouble (): void, onBack (): void }): void
}

declare module 'fastify' {
  interface FastifyInstance {
    redis: RedisClient
    redisTopology: RedisTopology
    /** The connection in subscribe mode (pub/sub), shared by the room hub and the per-user channels. */
    redisSubscriber: RedisClient
  }
}

export interface RedisPluginOptions {
  url: string
  /** Redis Cluster nodes (`host:port`); empty: the single Redis at `url`. */
  clusterNodes?: string[]
}

function singleTopology (client: RedisClient): RedisTopology {
  return {
    cluster: false,
    async waitForReplicas (_key, replicas, timeoutMs) {
      return Number(await client.sendCommand(['WAIT', String(replicas), String(timeoutMs)]))
    },
    watchSubscriber (subscriber, { onTrouble, onBack }) {
      subscriber.on('reconnecting', onTrouble)
      subscriber.on('ready', onBack)
    }
  }
}

function clusterTopology (cluster: ClusterClient): RedisTopology {
  return {
    cluster: true,
    async waitForReplicas (key, replicas, timeoutMs) {
      return Number(await cluster.sendCommand(key, false, ['WAIT', String(replicas), String(timeoutMs)]))
    },
    watchSubscriber (subscriber, { onTrouble, onBack }) {
      // The cluster client re-subscribes each sharded channel on the node that owns its slot after a
      // failover or resharding; these say when a node connection went away and came back.
      const events = subscriber as unknown as ClusterClient
      events.on('node-reconnecting', onTrouble)
      events.on('node-disconnect', onTrouble)
      events.on('sharded-channel-moved', onTrouble)
      events.on('node-ready', onBack)
    }
  }
}

/** Every primary answers: with a cluster, one shard down means some rooms are down. */
async function pingAll (client: RedisClient, cluster: ClusterClient | undefined) {
  if (!cluster) return await client.ping()
  await Promise.all(cluster.masters.map(async (node) => await (await cluster.nodeClient(node)).ping()))
  return 'PONG'
}

/** The Redis client (one node or a cluster): connected here, checked by /readyz, closed on close. */
async function redis (app: FastifyInstance, opts: RedisPluginOptions) {
  const nodes = opts.clusterNodes ?? []
  const cluster = nodes.length > 0 ? makeCluster(nodes) : undefined
  // The cluster client has the same command methods (see RedisClient); the cast is that statement.
  const client = cluster ? cluster as unknown as RedisClient : makeClient(opts.url)
  const where = cluster ? `cluster ${nodes.join(',')}` : opts.url
  // node-redis emits 'error' on every failed reconnect; unhandled, that would crash the process.
  client.on('error', (err) => app.log.warn({ err }, 'redis client error'))
  try {
    await client.connect()
  } catch (err) {
    client.destroy()
    throw new Error(`Redis (${where}) unreachable: ${(err as Error).message}`, { cause: err })
  }
  app.decorate('redis', client)
  app.decorate('redisTopology', cluster ? clusterTopology(cluster) : singleTopology(client))
  app.readiness.add('redis', () => pingAll(client, cluster))
  app.addHook('onClose', async () => { await client.close() })
}

export const redisPlugin = fp(redis, { name: 'redis', dependencies: ['watch-together-basics'] })

/**
 * The pub/sub connection (a client in subscribe mode serves nothing else). Named, so operators (and
 * the resync test) can tell it apart in CLIENT LIST. Registered after redis, so it closes first.
 * With a cluster, its sharded subscriptions live on one connection per primary, kept by node-redis.
 */
async function redisSubscriber (app: FastifyInstance, opts: { name: string }) {
  const name = opts.name.replace(/\s/g, '_')
  const subscriber = app.redisTopology.cluster
    ? (app.redis as unknown as ClusterClient).duplicate({ defaults: { socket, name } }) as unknown as RedisClient
    : app.redis.duplicate({ name })
  subscriber.on('error', (err) => app.log.warn({ err }, 'redis subscriber error'))
  await subscriber.connect()
  app.decorate('redisSubscriber', subscriber)
  app.addHook('onClose', async () => { await subscriber.close().catch(() => {}) })
}

export const redisSubscriberPlugin = fp(redisSubscriber, { name: 'redis-subscriber', dependencies: ['redis'] })
