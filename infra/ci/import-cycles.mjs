// Lists import cycles among each service's and package's own source files (relative imports,
// type-only ones included: a cycle of types is still two files that cannot be read apart).
// Exits non-zero when there is one. Run by `infra/dev test`'s lint step.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..', '..')
const roots = ['services', 'packages'].flatMap((dir) => readdirSync(join(root, dir)).map((name) => join(root, dir, name, 'src')))
  .filter((dir) => { try { return statSync(dir).isDirectory() } catch { return false } })

function files (dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? files(path) : /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : []
  })
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/g
let cycles = 0
for (const src of roots) {
  const graph = new Map()
  for (const file of files(src)) {
    const deps = []
    for (const [, spec] of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const target = resolve(dirname(file), spec).replace(/\.js$/, '')
      for (const candidate of [`${target}.ts`, `${target}.tsx`, join(target, 'index.ts')]) {
        if (graph.has(candidate) || files(dirname(candidate)).includes(candidate)) { deps.push(candidate); break }
      }
    }
    graph.set(file, deps)
  }
  // Depth-first search; a back edge to a file on the current path is a cycle.
  const state = new Map()
  const path = []
  const visit = (file) => {
    state.set(file, 'open')
    path.push(file)
    for (const dep of graph.get(file) ?? []) {
      if (state.get(dep) === 'open') {
        cycles++
        const loop = path.slice(path.indexOf(dep)).concat(dep).map((f) => relative(root, f))
        console.error(`import cycle: ${loop.join(' → ')}`)
      } else if (!state.has(dep)) visit(dep)
    }
    path.pop()
    state.set(file, 'done')
  }
  for (const file of graph.keys()) if (!state.has(file)) visit(file)
}
if (cycles > 0) {
  console.error(`${cycles} import cycle(s)`)
  process.exit(1)
}
console.log(`no import cycles in ${roots.length} source trees`)
