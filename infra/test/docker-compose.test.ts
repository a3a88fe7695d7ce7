// docker-compose.yml is validated without a Docker engine: Debian's docker-compose parses and
// resolves it (`config`), and we check it against what the services actually read.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'

const root = join(import.meta.dirname, '..', '..')

function composeConfig (): string {
  try {
    return execFileSync('docker-compose', ['-f', join(root, 'docker-compose.yml'), 'config'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string }
    if (e.code === 'ENOENT') throw new Error('docker-compose is not installed (infra/dev test installs Debian\'s docker-compose)')
    throw new Error(`docker-compose config rejected the file:\n${e.stderr ?? e.message}`)
  }
}

t.test('docker-compose.yml is valid and has every server and service', async (t) => {
  const resolved = composeConfig()
  for (const name of ['postgres', 'redis', 'kafka', 'mongo', 'livekit', 'room-api', 'realtime', 'etl-worker']) {
    t.match(resolved, new RegExp(`^  ${name}:$`, 'm'), `service ${name}`)
  }
  t.match(resolved, /image: postgres:15/)
  t.match(resolved, /image: redis:7/)
  t.match(resolved, /image: apache\/kafka:3\.9\.1/)
  t.match(resolved, /image: mongo:7/)
  t.match(resolved, /image: livekit\/livekit-server:v1\.9\.11/)
  t.match(resolved, /KAFKA_PROCESS_ROLES: broker,controller/, 'Kafka in KRaft mode')
  t.equal(resolved.match(/healthcheck:/g)?.length, 8, 'every server and service has a health check')
})

t.test('the services get the variables their config schemas read', async (t) => {
  const resolved = composeConfig()
  const wanted: Record<string, string[]> = {
    'room-api': ['DATABASE_URL', 'KAFKA_BROKERS', 'LIVEKIT_URL', 'LIVEKIT_PUBLIC_URL', 'LIVEKIT_API_KEY', 'LIVEKIT_API_SECRET'],
    realtime: ['REDIS_URL', 'KAFKA_BROKERS'],
    'etl-worker': ['MONGO_URL', 'KAFKA_BROKERS', 'KAFKA_DLQ_TOPIC']
  }
  for (const [service, variables] of Object.entries(wanted)) {
    const config = readFileSync(join(root, 'services', service, 'src', 'config.ts'), 'utf8')
    for (const variable of variables) {
      t.match(config, new RegExp(`\\b${variable}:`), `${service} reads ${variable}`)
      t.match(resolved, new RegExp(`${variable}: `), `compose sets ${variable}`)
    }
  }
})
