import { createConsumer, type Consumer } from '@watch-together/kafka'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { writeArchive } from '../archive/archive-writer.js'
import { createBatchHandler } from '../consumer/batch-handler.js'
import { createGroupWriter } from '../consumer/group-writer.js'

export interface ConsumerPluginOptions {
  topic: string
  dlqTopic: string
  groupId: string
  sessionTimeoutMs: number
  partitionConcurrency: number
  fetchPartitionBytes: number
  chunkSize: number
  retry: { initialMs: number, maxMs: number }
}

/**
 * The archive consumer: joins the group once Kafka answers (the app starts and serves /readyz
 * before that), and on close stops consuming first — registered after mongo and kafka, it is
 * closed before them, so an in-flight batch is abandoned uncommitted, never half-committed.
 */
async function archiveConsumer (app: FastifyInstance, opts: ConsumerPluginOptions) {
  const write = createGroupWriter((events) => writeArchive(app.archive.collections, events, { cache: app.archive.summaries, limit: app.archive.limit }), opts.chunkSize)
  const handler = createBatchHandler({
    write,
    sendDeadLetters: async (records) => { await app.kafka.producer.send(opts.dlqTopic, records) },
    metrics: app.archive.metrics,
    log: app.log,
    chunkSize: opts.chunkSize,
    retry: opts.retry
  })
  let consumer: Consumer | undefined
  let closing = false
  let restartTimer: NodeJS.Timeout | undefined

  async function start () {
    // Nothing is consumed before the archive can be written (MongoDB may be down at start).
    await Promise.all([app.kafka.connected, app.mongo.ready])
    if (closing) return
    const current = createConsumer(app.kafka.settings, {
      groupId: opts.groupId,
      sessionTimeoutMs: opts.sessionTimeoutMs,
      partitionsConsumedConcurrently: opts.partitionConcurrency,
      maxBytesPerPartition: opts.fetchPartitionBytes
    })
    consumer = current
    current.onAssignment((assignment) => {
      setAssignment(assignment[opts.topic] ?? [])
    })
    // kafkajs restarts by itself after retriable errors; this is for when it gives up.
    current.onCrash((err) => {
      app.log.error({ err }, 'consumer crashed; restarting')
      restartTimer = setTimeout(() => { current.disconnect().catch(() => {}).then(startInBackground, () => {}) }, 2000)
    })
    // The app may close while any of these steps is pending: check after each, so a consumer
    // never starts running after onClose has disconnected it.
    const stopIfClosing = async () => { if (closing) await current.disconnect(); return closing }
    await current.connect()
    if (await stopIfClosing()) return
    await current.subscribe([opts.topic], { fromBeginning: true })
    if (await stopIfClosing()) return
    await current.run(handler)
    if (await stopIfClosing()) return
    app.log.info({ topic: opts.topic, groupId: opts.groupId }, 'consuming')
  }

  // Which rooms this member owns (the finalizer acts only on those). Cached summaries of a
  // partition that moved may go stale; the rev guard would catch that, clearing avoids the retry.
  function setAssignment (partitions: number[]) {
    const { assignment, summaries } = app.archive
    if (partitions.length !== assignment.size || partitions.some((p) => !assignment.has(p))) summaries.clear()
    assignment.clear()
    for (const p of partitions) assignment.add(p)
    if (partitions.length > 0) app.log.info({ partitions }, 'partitions assigned')
  }

  function startInBackground () {
    if (closing) return
    start().catch((err: Error) => {
      if (closing) return
      app.log.warn({ err }, 'consumer could not start; retrying')
      restartTimer = setTimeout(() => { (consumer?.disconnect() ?? Promise.resolve()).catch(() => {}).then(startInBackground, () => {}) }, 2000)
    })
  }

  app.addHook('onReady', async () => { startInBackground() })
  app.addHook('onClose', async () => {
    closing = true
    clearTimeout(restartTimer)
    await consumer?.disconnect()
    setAssignment([])
  })
}

export const consumerPlugin = fp(archiveConsumer, { name: 'archive-consumer', dependencies: ['archive'] })
