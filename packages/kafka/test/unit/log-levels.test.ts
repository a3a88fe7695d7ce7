import { logLevel } from 'kafkajs'
import t from 'tap'
import { kafkaLogCreator, type LoggerLike } from '../../src/index.js'

/** A logger that records the level of each line. */
function recorder () {
  const lines: Array<[string, string | undefined]> = []
  const at = (level: string) => (_obj: object, msg?: string) => { lines.push([level, msg]) }
  const logger: LoggerLike = { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') }
  return { lines, log: kafkaLogCreator(logger)(logLevel.WARN) }
}
const line = (level: logLevel, message: string, error?: string) =>
  ({ namespace: 'Connection', level, label: 'ERROR', log: { timestamp: '', message, ...(error ? { error } : {}) } })

t.test('a rebalance\'s error responses are the group protocol at work: info, not error', async (t) => {
  const { lines, log } = recorder()
  log(line(logLevel.ERROR, 'Response Heartbeat(key: 12, version: 3)', 'The group is rebalancing, so a rejoin is needed'))
  log(line(logLevel.ERROR, 'Response OffsetCommit(key: 8, version: 5)', 'Specified group generation id is not valid'))
  log(line(logLevel.ERROR, 'Response JoinGroup(key: 11, version: 5)', 'The group member needs to have a valid member id before actually entering a consumer group'))
  t.same(lines.map(([level]) => level), ['info', 'info', 'info'])
})

t.test('every other error stays an error, and other levels keep theirs', async (t) => {
  const { lines, log } = recorder()
  log(line(logLevel.ERROR, 'Response Produce(key: 0, version: 7)', 'This server is not the leader for that topic-partition'))
  log(line(logLevel.ERROR, 'Crash: KafkaJSNumberOfRetriesExceeded: The group is rebalancing, so a rejoin is needed'))
  log(line(logLevel.ERROR, 'Response Heartbeat(key: 12, version: 3)', 'The coordinator is not aware of this member'))
  log(line(logLevel.WARN, 'The group is rebalancing, re-joining'))
  log(line(logLevel.INFO, 'Consumer has joined the group'))
  t.same(lines.map(([level]) => level), ['error', 'error', 'error', 'warn', 'info'])
})
