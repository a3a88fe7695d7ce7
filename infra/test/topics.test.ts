// The topic names and partition counts live in packages/protocol (TOPICS, TOPIC_PARTITIONS); the
// local stack and docker-compose.yml create them from their own lists, so this keeps all three equal.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { TOPIC_PARTITIONS } from '../../packages/protocol/src/common.js'

const root = join(import.meta.dirname, '..', '..')

t.test('the local stack and docker-compose create exactly the protocol\'s topics', async (t) => {
  const wanted = Object.entries(TOPIC_PARTITIONS).map(([name, n]) => `${name}:${n}`).sort()
  const stack = readFileSync(join(root, 'infra/local/stack'), 'utf8')
  const list = /^KAFKA_TOPICS=\(([^)]*)\)/m.exec(stack)?.[1] ?? ''
  t.same([...list.matchAll(/"([^"]+)"/g)].map((m) => m[1]).sort(), wanted, 'infra/local/stack KAFKA_TOPICS')
  const compose = readFileSync(join(root, 'docker-compose.yml'), 'utf8')
  const created = [...compose.matchAll(/--topic (\S+) --partitions (\d+)/g)].map((m) => `${m[1]}:${m[2]}`).sort()
  t.same(created, wanted, 'docker-compose.yml kafka-init')
})
