import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { type Consumer, type ConsumerOptions, createConsumer } from './consumer.js'
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
}

/**
 * The one way a service consumes `watch_together`: it joins the group once Kafka answers (the
 * app serves /readyz before that), starts again with backoff when joining fails or kafkajs gives
 * up after its own restarts, and on close stops consuming first — registered after the resources
 * its handler writes to, it is closed before them, so a batch in flight is abandoned uncommitted.
 */
export function eventConsumerPlugin (opts: EventConsumerOptions) {
  async function plugin (app: FastifyInstance) {
    const { initialMs, maxMs } = opts.restart ?? { initialMs: 500, maxMs: 10_000 }
    let consumer: Consumer | undefined
    let closing = false
    let timer: NodeJS.Timeout | undefined
    let delay = initialMs
    const log = app.log.child({ consumer: opts.name })

    async function start (handler: BatchHandler) {
      await Promise.all([app.kafka.connected, opts.ready?.(app)])
      if (closing) return
      const current = createConsumer(app.kafka.settings, { ...opts.consumer, groupId: opts.groupId })
      consumer = current
      current.onAssignment((assignment) => opts.onAssignment?.(app, assignment[opts.topic] ?? []))
      current.onCrash((err) => {
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

    function retry (handler: BatchHandler) {
      if (closing) return
      const previous = consumer
      timer = setTimeout(() => {
        (previous?.disconnect() ?? Promise.resolve()).catch(() => {}).then(() => { launch(handler) }, () => {})
      }, delay)
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

    app.addHook('onReady', async () => { launch(opts.handler(app)) })
    app.addHook('onClose', async () => {
      closing = true
      clearTimeout(timer)
      await consumer?.disconnect().catch(() => {})
      opts.onAssignment?.(app, [])
    })
  }
  return fp(plugin, { name: opts.name, dependencies: ['watch-together-kafka', ...(opts.dependencies ?? [])] })
}
