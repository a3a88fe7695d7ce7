// Reads tap's per-file results (.tap/test-results/**/*.tap) and the outcome of the
// static checks, and prints the plain closing line CI reads: "N passed, N failed, N skipped".
// A test is one top-level point of a test file (a t.test or a top-level assertion); a file
// that crashed or ended without its plan counts as one failure even if no point failed.
// usage: node summarize.mjs RESULTS_DIR TAP_EXIT_CODE [check=exitcode ...]
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'

const [resultsDir, tapExit = '0', ...checks] = process.argv.slice(2)
let passed = 0; let failed = 0; let skipped = 0
const failures = []
/** Per failure, the lines that say why (nested failed points, their diagnostics, the test's comments): CI shows only the end of the output. */
const reasons = []

/** The few lines of a failed top-level point's body that explain it. */
function why (body) {
  const picked = []
  for (let i = 0; i < body.length; i++) {
    const line = body[i].trimEnd()
    const text = line.trim()
    if (/^not ok \d+/.test(text) || /^# (?!Subtest)/.test(text)) picked.push(text.slice(0, 300))
    else if (/^(found|wanted|message|stack|diff|code|tapCaught|error):/.test(text)) {
      picked.push(`  ${text.slice(0, 300)}`)
      // The diagnostic's first lines (a block value such as a diff or a stack).
      const indent = line.length - line.trimStart().length
      for (let j = i + 1; j < Math.min(body.length, i + 4) && body[j].length - body[j].trimStart().length > indent; j++) picked.push(`    ${body[j].trim().slice(0, 300)}`)
    }
  }
  return picked.slice(-25)
}

function walk (dir) {
  let entries = []
  try { entries = readdirSync(dir) } catch { return [] }
  return entries.flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? walk(path) : path.endsWith('.tap') ? [path] : []
  })
}

const files = walk(resultsDir)
for (const file of files) {
  const lines = readFileSync(file, 'utf8').split('\n')
  let filePassed = 0; let fileFailed = 0; let hasPlan = false
  let bodyStart = 0
  for (const [index, line] of lines.entries()) {
    const point = /^(not ok|ok) \d+(?: - (.*))?$/.exec(line)
    if (point) {
      const directive = /# (SKIP|TODO)\b/i.test(line)
      if (directive) skipped++
      else if (point[1] === 'ok') filePassed++
      else {
        fileFailed++
        failures.push(`${file}: ${point[2] ?? ''}`)
        reasons.push([`${file.split('/').slice(-1)[0]}: ${point[2] ?? ''}`, ...why(lines.slice(bodyStart, index)).map((l) => `    ${l}`)])
      }
      bodyStart = index + 1
    }
    if (/^1\.\.\d+/.test(line)) hasPlan = true
    if (/^Bail out!/.test(line)) fileFailed++
  }
  if (!hasPlan && fileFailed === 0) { fileFailed = 1; failures.push(`${file}: ended without a plan (crashed or timed out)`) }
  passed += filePassed; failed += fileFailed
}

if (files.length === 0) { failed++; failures.push('tap produced no results') }
if (tapExit !== '0' && failed === 0) { failed++; failures.push(`tap exited with ${tapExit}`) }

for (const check of checks) {
  const [name, code] = check.split('=')
  if (code === '0') passed++
  else { failed++; failures.push(`${name} failed (exit ${code})`) }
}

if (reasons.length) console.log(`\nWhy:\n${reasons.map((r) => `  ${r.join('\n  ')}`).join('\n')}`)
if (failures.length) console.log(`\nFailed:\n${failures.map((f) => `  - ${f}`).join('\n')}\n`)
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`)
process.exit(failed === 0 ? 0 : 1)
