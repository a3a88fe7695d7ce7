import { Kafka, logLevel as KafkaLogLevel, type logCreator } from 'kafkajs'
import type { KafkaSettings, LoggerLike } from './types.js'

/**
 * Error responses that are the group protocol at work, not faults: a heartbeat or commit answered "rebalancing"
 * or "old generation" while the group rebalances, and the JoinGroup round that asks for a member id. kafkajs
 * logs every error response at error level (2–6 lines per rebalance in the soak); these go out at info.
 */
const GROUP_PROTOCOL_ANSWERS = new Set([
  'The group is rebalancing, so a rejoin is needed',
  'Specified group generation id is not valid',
  'The group member needs to have a valid member id before actually entering a consumer group'
])

/** Routes kafkajs's own logs into the service's structured logger. */
export function kafkaLogCreator (logger: LoggerLike): logCreator {
  return () => ({ level, log }) => {
    const { message, ...extra } = log
    const entry = { kafka: extra }
    const routine = level === KafkaLogLevel.ERROR && message.startsWith('Response ') && GROUP_PROTOCOL_ANSWERS.has(String(extra.error))
    if (routine) logger.info(entry, message)
    else if (level === KafkaLogLevel.ERROR) logger.error(entry, message)
    else if (level === KafkaLogLevel.WARN) logger.warn(entry, message)
    else if (level === KafkaLogLevel.INFO) logger.info(entry, message)
    else logger.debug(entry, message)
  }
}

export function createKafkaClient (settings: KafkaSettings): Kafka {
  return new Kafka({
    clientId: settings.clientId,
    brokers: settings.brokers,
    connectionTimeout: settings.connectionTimeoutMs ?? 3000,
    requestTimeout: settings.requestTimeoutMs ?? 30000,
    retry: { retries: settings.retries ?? 5, initialRetryTime: 300, maxRetryTime: 10_000 },
    logLevel: settings.logger ? KafkaLogLevel.WARN : KafkaLogLevel.NOTHING,
    ...(settings.logger ? { logCreator: kafkaLogCreator(settings.logger) } : {})
  })
}
