// The cluster profile's load balancer: the configuration `infra/dev up --cluster` generates passes Debian's
// `haproxy -c` and puts every room-api and realtime instance behind health checks on /readyz.
import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'

const root = join(import.meta.dirname, '..', '..')

t.test('the generated HAProxy configuration is valid and fronts every instance', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'haproxy-'))
  const config = execFileSync(join(root, 'infra/dev'), ['haproxy-config'], {
    encoding: 'utf8',
    env: { ...process.env, WT_STACK_DIR: dir, WT_CLUSTER_PORT: '3100' }
  })
  const file = join(dir, 'haproxy.cfg')
  writeFileSync(file, config)
  try {
    execFileSync('haproxy', ['-c', '-q', '-f', file], { stdio: ['ignore', 'pipe', 'pipe'] })
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer }
    if (e.code === 'ENOENT') throw new Error('haproxy is not installed (infra/dev test installs Debian\'s haproxy)')
    throw new Error(`haproxy -c rejected the configuration:\n${e.stderr?.toString() ?? e.message}`)
  }
  t.notMatch(config, /@[A-Z_]+@/, 'every placeholder filled in')
  t.equal(config.match(/^ {2}server room-api-\d /gm)?.length, 2, 'two room-api instances')
  t.equal(config.match(/^ {2}server realtime-\d /gm)?.length, 3, 'three realtime instances')
  t.match(config, /option httpchk GET \/readyz/, 'health checks on /readyz')
  t.match(config, /default-server check /, 'every server checked')
  t.match(config, /timeout tunnel /, 'websockets outlive the HTTP timeouts')
  t.match(config, /bind 127\.0\.0\.1:3101/, 'on loopback, on WT_CLUSTER_PORT + 1')
})
