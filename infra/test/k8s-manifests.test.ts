// The Kubernetes manifests (infra/k8s) checked without a cluster: every object against the
// Kubernetes API's own schema (kubernetes-models, generated from the OpenAPI spec), then the facts a
// deployment depends on — probes on the right paths, requests set, a disruption budget and an
// autoscaler per service on a metric the service really exports, an environment each service's
// config schema accepts in production, websocket paths routed to realtime, and the media library's
// volumes mounted where room-api and the ingest pod read them.
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ConfigMap, Namespace, PersistentVolumeClaim, Service } from 'kubernetes-models/v1'
import { Deployment } from 'kubernetes-models/apps/v1'
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2'
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1'
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1'
import t from 'tap'
import { parseAllDocuments } from 'yaml'
import { ConfigSchema as EtlConfig } from '../../services/etl-worker/src/config.js'
import { ConfigSchema as RealtimeConfig } from '../../services/realtime/src/config.js'
import { ConfigSchema as RoomApiConfig } from '../../services/room-api/src/config.js'

const root = join(import.meta.dirname, '..', '..')
const dir = join(root, 'infra/k8s')
type Doc = { apiVersion: string, kind: string, metadata: { name: string }, [key: string]: unknown }

// The models of the kinds the manifests use; a kind missing here fails the test (it must be checked).
const MODELS: Record<string, new (data: never) => { validate: () => void }> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Service': Service,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim,
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'networking.k8s.io/v1/Ingress': Ingress
}

function validate (doc: Doc): void {
  const Model = MODELS[`${doc.apiVersion}/${doc.kind}`]
  if (!Model) throw new Error(`no schema for ${doc.apiVersion}/${doc.kind}`)
  new Model(doc as never).validate()
}

function load (): Doc[] {
  return readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort().flatMap((file) =>
    parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((d) => {
      if (d.errors.length > 0) throw new Error(`${file}: ${d.errors[0]?.message}`)
      return d.toJS() as Doc
    }))
}

const docs = load()
const find = (kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata.name === name) as any
const SERVICES = {
  'room-api': { schema: RoomApiConfig, metrics: null },
  realtime: { schema: RealtimeConfig, metrics: 'services/realtime/src/metrics.ts' },
  'etl-worker': { schema: EtlConfig, metrics: 'services/etl-worker/src/metrics.ts' }
} as const

/** The keys a zod config schema reads (under its transforms and refinements). */
function schemaKeys (schema: unknown): string[] {
  let s: any = schema
  while (s && !s.shape) s = s._zod?.def?.in ?? s._zod?.def?.schema
  if (!s) throw new Error('no object schema found')
  return Object.keys(s.shape)
}

t.test('kustomization lists every manifest, and every object matches the Kubernetes schema of its kind', async (t) => {
  const kustomization = parseAllDocuments(readFileSync(join(dir, 'kustomization.yaml'), 'utf8'))[0]?.toJS() as { resources: string[] }
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort()
  t.same([...kustomization.resources].sort(), files, 'kustomization.yaml resources')
  t.ok(docs.length >= 14, `${docs.length} objects`)
  for (const doc of docs) t.doesNotThrow(() => validate(doc), `${doc.kind} ${doc.metadata.name}`)
})

t.test('the schema check refuses a broken object (it can fail)', async (t) => {
  const broken = structuredClone(find('Deployment', 'realtime'))
  broken.spec.replicas = 'three'
  t.throws(() => validate(broken), 'replicas as a string')
  const unnamed = structuredClone(find('Deployment', 'realtime'))
  delete unnamed.spec.template.spec.containers[0].name
  t.throws(() => validate(unnamed), 'a container without its required name')
  t.throws(() => validate({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } }), 'a kind the test does not know')
})

for (const [name, service] of Object.entries(SERVICES)) {
  t.test(`${name}: probes, requests, budget, autoscaler, environment`, async (t) => {
    const deployment = find('Deployment', name)
    t.ok(deployment, 'a Deployment')
    const pod = deployment.spec.template
    t.same(deployment.spec.selector.matchLabels, { 'app.kubernetes.io/name': name }, 'selector')
    t.match(pod.metadata.labels, deployment.spec.selector.matchLabels, 'pods carry the selector labels')
    const container = pod.spec.containers[0]
    const port = container.ports.find((p: any) => p.name === 'http')
    t.ok(port, 'a named http port')
    t.same(container.readinessProbe.httpGet, { path: '/readyz', port: 'http' }, 'readiness on /readyz')
    t.same(container.livenessProbe.httpGet, { path: '/healthz', port: 'http' }, 'liveness on /healthz (never the engines)')
    t.ok(container.resources.requests.cpu && container.resources.requests.memory, 'cpu and memory requests')

    const svc = find('Service', name)
    t.same(svc.spec.selector, deployment.spec.selector.matchLabels, 'the Service selects the pods')
    t.equal(svc.spec.ports[0].targetPort, 'http')

    const pdb = find('PodDisruptionBudget', name)
    t.same(pdb.spec.selector.matchLabels, deployment.spec.selector.matchLabels, 'the budget covers the pods')
    t.ok(pdb.spec.minAvailable !== undefined || pdb.spec.maxUnavailable !== undefined, 'the budget limits disruptions')

    const hpa = find('HorizontalPodAutoscaler', name)
    t.same(hpa.spec.scaleTargetRef, { apiVersion: 'apps/v1', kind: 'Deployment', name }, 'the autoscaler scales the Deployment')
    t.ok(hpa.spec.minReplicas <= deployment.spec.replicas && deployment.spec.replicas <= hpa.spec.maxReplicas, 'replicas within the autoscaler range')
    for (const metric of hpa.spec.metrics.filter((m: any) => m.type === 'Pods')) {
      const metricName = metric.pods.metric.name as string
      const source = readFileSync(join(root, service.metrics ?? ''), 'utf8')
      t.match(source, `name: '${metricName}'`, `${metricName} is a metric the service exports`)
    }

    // The environment the pod would get, with secrets and field refs as placeholders.
    const configMap = find('ConfigMap', 'watch-together-config')
    const env: Record<string, string> = { ...configMap.data }
    for (const e of container.env) {
      env[e.name] = e.value ?? (e.valueFrom?.secretKeyRef ? `secret-${e.name.toLowerCase()}-0123456789abcdef` : 'pod-0')
    }
    if (env.DATABASE_URL?.startsWith('secret-')) env.DATABASE_URL = 'postgres://u:p@postgres:5432/watch_together'
    const keys = new Set(schemaKeys(service.schema))
    for (const e of container.env) t.ok(keys.has(e.name), `${e.name} is a setting of ${name}`)
    const parsed = service.schema.safeParse(env)
    t.ok(parsed.success, `the config parses in production${parsed.success ? '' : `: ${JSON.stringify(parsed.error.issues)}`}`)
  })
}

t.test('every shared setting is read by some service; websockets go to realtime', async (t) => {
  const configMap = find('ConfigMap', 'watch-together-config')
  const known = new Set(Object.values(SERVICES).flatMap((s) => schemaKeys(s.schema)))
  for (const key of Object.keys(configMap.data)) t.ok(known.has(key), `${key} is read by a service`)
  const routes = readFileSync(join(root, 'services/realtime/src/routes/room-socket.ts'), 'utf8') +
    readFileSync(join(root, 'services/realtime/src/routes/user-socket.ts'), 'utf8')
  const paths = find('Ingress', 'watch-together').spec.rules[0].http.paths
  const backendOf = (path: string) => paths.find((p: any) => p.pathType === 'Exact' ? p.path === path : path.startsWith(p.path))?.backend.service.name
  t.match(routes, "'/rooms/:roomId/ws'")
  t.equal(backendOf('/rooms/8f0c/ws'), 'realtime', 'room sockets')
  t.equal(backendOf('/users/ws'), 'realtime', 'user sockets')
  t.equal(backendOf('/api/v1/rooms'), 'room-api', 'the REST API')
  t.equal(backendOf('/r/abc'), 'room-api', 'invite links')
})

t.test('media library: both claims mounted where the settings point, one ingester, the admin media API routed to it', async (t) => {
  const configMap = find('ConfigMap', 'watch-together-config')
  for (const name of ['media-library', 'media-data']) {
    t.same(find('PersistentVolumeClaim', name)?.spec.accessModes, ['ReadWriteMany'], `${name}: one claim shared by every replica`)
  }
  const mounts = (deployment: any) => {
    const pod = deployment.spec.template.spec
    const container = pod.containers[0]
    const env: Record<string, string> = Object.fromEntries(container.env.filter((e: any) => e.value !== undefined).map((e: any) => [e.name, e.value]))
    const claimAt = (path: string) => {
      const mount = (container.volumeMounts ?? []).find((m: any) => m.mountPath === path)
      const volume = pod.volumes?.find((v: any) => v.name === mount?.name)
      return mount && volume?.persistentVolumeClaim ? { claim: volume.persistentVolumeClaim.claimName, readOnly: mount.readOnly === true } : null
    }
    return { env, library: claimAt(env.MEDIA_LIBRARY_ROOT ?? ''), data: claimAt(env.MEDIA_DATA_DIR ?? '') }
  }
  const roomApi = mounts(find('Deployment', 'room-api'))
  t.same(roomApi.library, { claim: 'media-library', readOnly: true }, 'room-api: the originals at MEDIA_LIBRARY_ROOT, read-only')
  t.same(roomApi.data, { claim: 'media-data', readOnly: false }, 'room-api: the packaged items at MEDIA_DATA_DIR (served, removed)')
  t.equal(roomApi.env.MEDIA_INGEST, 'false', 'room-api replicas do not run ffmpeg')

  const deployment = find('Deployment', 'media-ingest')
  const ingest = mounts(deployment)
  t.same(ingest.library, { claim: 'media-library', readOnly: true }, 'the ingester reads the originals, never writes them')
  t.same(ingest.data, { claim: 'media-data', readOnly: false }, 'and writes the packaged items')
  t.equal(ingest.env.MEDIA_INGEST, 'true')
  t.equal(deployment.spec.replicas, 1, 'one ingester')
  t.equal(deployment.spec.strategy.type, 'Recreate', 'never two during a rollout')
  const container = deployment.spec.template.spec.containers[0]
  t.same(container.readinessProbe.httpGet, { path: '/readyz', port: 'http' })
  t.ok(container.env.some((e: any) => e.name === 'MEDIA_ADMIN_TOKEN' && e.valueFrom?.secretKeyRef), 'its admin token from the secret')
  const env: Record<string, string> = { ...configMap.data, DATABASE_URL: 'postgres://u:p@postgres:5432/watch_together' }
  for (const e of container.env) env[e.name] ??= e.value ?? `secret-${e.name.toLowerCase()}-0123456789abcdef`
  const parsed = RoomApiConfig.safeParse(env)
  t.ok(parsed.success, `its config parses in production${parsed.success ? '' : `: ${JSON.stringify(parsed.error.issues)}`}`)
  t.same(find('Service', 'media-ingest')?.spec.selector, deployment.spec.selector.matchLabels, 'a Service selects it')

  const paths = find('Ingress', 'watch-together').spec.rules[0].http.paths
  const longest = (path: string) => paths.filter((p: any) => p.pathType === 'Exact' ? p.path === path : path.startsWith(p.path))
    .sort((a: any, b: any) => b.path.length - a.path.length)[0]?.backend.service.name
  t.equal(longest('/api/v1/admin/media/jobs/1'), 'media-ingest', 'adding media reaches the ingester (the longest prefix wins)')
  t.equal(longest('/api/v1/films'), 'room-api')
})
