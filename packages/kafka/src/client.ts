import { Kafka, logLevel as KafkaLogLevel, type logCreator } from 'kafkajs'
import type { KafkaSettings, LoggerLike } from './types.js'

/** Routes kafkajs's own logs into the service's structured logger. */
function toLogCreator (logger: LoggerLike): logCreator {
  return () => ({ level, log }) => {
    const { message, ...extra } = log
    const entry = { kafka: extra }
    if (level === KafkaLogLevel.ERROR) logger.error(entry, message)
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
    ...(settings.logger ? { logCreator: toLogCreator(settings.logger) } : {})
  })
}
