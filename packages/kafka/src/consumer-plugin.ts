import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { type Consumer, type ConsumerOptions, createConsumer } from './consumer.js'
import { progressWatch } from './progress-watch.js'
import type { BatchHandler } from './types.js'

export interface EventConsumerOptions {
  /** The plugin's name (other plugins may depend on it) and the consumer's name in logs. */
  name: string
  topic: string
  groupId: string
  consumer?: Omit<ConsumerOptions, 'groupId'>
  /** Builds the batch handler once the app is ready (its decorators exist by then). */
  handler (app: FastifyInstance): BatchHandler
  /** Resolves when consuming may begin beyond Kafka being there (e.g. the archive's database is up). */
  ready? (app: FastifyInstance): Promise<unknown>
  /** This member's partitions of `topic` (empty while rebalancing, stopped or crashed). */
  onAssignment? (app: FastifyInstance, partitions: number[]): void
  /** Plugins whose decorators the handler uses, so they are registered first and closed after. */
  dependencies?: string[]
  /** Backoff between tries to start (and restart after kafkajs gives up). */
  restart?: { initialMs: number, maxMs: number }
  /**
   * A partition with records waiting past its committed offset and no progress for this long
   * (default 45 s; false: never) gets the consumer restarted, logged as an error: kafkajs can sit
   * in a group, heartbeating, without ever handing a partition's records over.
   */
  stallMs?: number | false
}

/** How long a consumer being replaced may take to leave: a batch hung for good holds kafkajs's disconnect for ever. */
const ABANDON_AFTER_MS = 10_000
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref())

/**
 * The one way a service consumes `watch_together`: it joins the group once Kafka answers (the
 * app serves /readyz before that), starts again with backoff when joining fails or kafkajs gives
 * up after its own restarts, or when a watchdog finds it stalled (records waiting, no progress),
 * and on close stops consuming first — registered after the resources its handler writes to, it is
 * closed before them, so a batch in flight is abandoned uncommitted.
 */
export function eventConsumerPlugin (opts: EventConsumerOptions) {
  async function plugin (app: FastifyInstance) {
    const { initialMs, maxMs } = opts.restart ?? { initialMs: 500, maxMs: 10_000 }
    let consumer: Consumer | undefined
    let closing = false
    let timer: NodeJS.Timeout | undefined
    let delay = initialMs
    const log = app.log.child({ consumer: opts.name })

    const stallMs = opts.stallMs ?? 45_000
    const watch = progressWatch({
      stallMs: stallMs || Infinity,
      async offsets (partitions) {
        const [committed, ends] = await Promise.all([app.kafka.admin.groupOffsets(opts.groupId, opts.topic), app.kafka.admin.topicOffsets(opts.topic)])
        return partitions.map((partition) => {
          const end = ends.find((e) => e.partition === partition)
          return { partition, committed: committed.find((c) => c.partition === partition)?.offset ?? '-1', low: end?.low ?? '0', high: end?.high ?? '0' }
        })
      }
    })

    /** The handler, with each batch's start and end, commits and heartbeats counted as progress. */
    function tracked (handler: BatchHandler): BatchHandler {
      return async (batch, control) => {
        const p = batch.partition
        watch.note(p, { first: batch.records[0]?.offset, last: batch.records.at(-1)?.offset, inFlight: true, threw: false })
        try {
          await handler(batch, {
            ...control,
            heartbeat: async () => { watch.progress(p); await control.heartbeat() },
            commit: async (offset) => { await control.commit(offset); watch.note(p, { committed: offset }) }
          })
          watch.note(p, { inFlight: false })
        } catch (err) {
          watch.note(p, { inFlight: false, threw: true })
          throw err
        }
      }
    }

    async function start (handler: BatchHandler) {
      await Promise.all([app.kafka.connected, opts.ready?.(app)])
      if (closing) return
      const current = createConsumer({ ...app.kafka.settings, logger: log }, { ...opts.consumer, groupId: opts.groupId })
      consumer = current
      // A replaced consumer (crashed, stalled) may still report: only the current one speaks.
      current.onAssignment((assignment) => {
        if (consumer !== current) return
        const partitions = assignment[opts.topic] ?? []
        watch.assigned(partitions)
        opts.onAssignment?.(app, partitions)
      })
      current.onFetch(() => { if (consumer === current) watch.fetched() })
      current.onCrash((err) => {
        if (consumer !== current) return
        log.error({ err }, 'consumer crashed; restarting')
        app.reportError(err, { where: 'consumer', consumer: opts.name })
        retry(handler)
      })
      // The app may close while any step is pending: after each, a closing app disconnects it.
      const stopIfClosing = async () => { if (closing) await current.disconnect(); return closing }
      await current.connect()
      if (await stopIfClosing()) return
      await current.subscribe([opts.topic], { fromBeginning: true })
      if (await stopIfClosing()) return
      await current.run(handler)
      if (await stopIfClosing()) return
      delay = initialMs
      log.info({ topic: opts.topic, groupId: opts.groupId }, 'consuming')
    }

    /** Consumers being replaced, until they have left the group (or been abandoned). */
    const leaving = new Set<Promise<unknown>>()

    /** Replaces the current consumer after the backoff; one that will not leave in time is abandoned. */
    function retry (handler: BatchHandler) {
      if (closing) return
      const previous = consumer
      consumer = undefined
      watch.assigned([])
      opts.onAssignment?.(app, [])
      const gone = previous ? Promise.race([previous.disconnect(), sleep(ABANDON_AFTER_MS)]).catch(() => {}) : Promise.resolve()
      leaving.add(gone)
      gone.then(() => { leaving.delete(gone) }, () => {})
      timer = setTimeout(() => { gone.then(() => { launch(handler) }, () => {}) }, delay)
      delay = Math.min(delay * 2, maxMs)
    }

    function launch (handler: BatchHandler) {
      if (closing) return
      start(handler).catch((err: Error) => {
        if (closing) return
        log.warn({ err, retryInMs: delay }, 'consumer could not start; retrying')
        retry(handler)
      })
    }

    let watchdog: NodeJS.Timeout | undefined
    function watchForStalls (handler: BatchHandler) {
      if (!stallMs) return
      let checking = false
      watchdog = setInterval(() => {
        if (checking || closing || !consumer) return
        checking = true
        const checked = consumer
        watch.check().then((stall) => {
          if (!stall || closing || consumer !== checked) return
          const err = new Error(`consumer ${opts.name} stalled: records waiting on partition(s) ${stall.partitions.map((p) => p.partition).join(', ')} with no progress for ${stallMs} ms`)
          log.error({ err, stall }, 'consumer stalled; restarting it')
          app.reportError(err, { where: 'consumer', consumer: opts.name })
          retry(handler)
        }, (err: Error) => {
          // Kafka away: the consumer's own retries are at work, and the next check asks again.
          log.debug({ err }, 'consumer watchdog could not read the group offsets')
        }).finally(() => { checking = false })
      }, Math.max(1000, Math.round(stallMs / 3)))
      watchdog.unref()
    }

    app.addHook('onReady', async () => {
      const handler = tracked(opts.handler(app))
      launch(handler)
      watchForStalls(handler)
    })
    app.addHook('onClose', async () => {
      closing = true
      clearTimeout(timer)
      clearInterval(watchdog)
      await Promise.all([consumer?.disconnect().catch(() => {}), ...leaving])
      opts.onAssignment?.(app, [])
    })
  }
  return fp(plugin, { name: opts.name, dependencies: ['watch-together-kafka', ...(opts.dependencies ?? [])] })
}
