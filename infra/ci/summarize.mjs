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

/** A diagnostic block's lines shown at most (a diff or a stack); the rest is in the .tap file. */
const BLOCK_LINES = 15
/** The test's own comments shown before its first failure (its progress) and after it (teardown readings). */
const COMMENTS_BEFORE = 10
const COMMENTS_AFTER = 6

/**
 * The lines of a failed top-level point that explain it: its subtest's body (before the point) and its own
 * diagnostics (the indented block after it, where a top-level assertion keeps them). Failed points with
 * their diagnostics come first; the test's comments before the first failure show how far it got.
 */
function why (body) {
  const failing = []
  const before = []
  const after = []
  for (let i = 0; i < body.length; i++) {
    const line = body[i].trimEnd()
    const text = line.trim()
    if (/^not ok \d+/.test(text)) failing.push(text.slice(0, 300))
    else if (/^# (?!Subtest)/.test(text)) (failing.length ? after : before).push(text.slice(0, 300))
    else if (/^(found|wanted|message|stack|diff|code|tapCaught|error|expired|signal):/.test(text)) {
      failing.push(`  ${text.slice(0, 300)}`)
      const indent = line.length - line.trimStart().length
      let j = i + 1
      for (; j < body.length && body[j].length - body[j].trimStart().length > indent; j++) {
        if (j - i <= BLOCK_LINES) failing.push(`    ${body[j].trim().slice(0, 300)}`)
      }
      if (j - i - 1 > BLOCK_LINES) failing.push(`    … ${j - i - 1 - BLOCK_LINES} more lines`)
      i = j - 1
    }
  }
  return [...before.slice(-COMMENTS_BEFORE), ...failing, ...after.slice(0, COMMENTS_AFTER)]
}

/** The indented diagnostic block that follows a point (up to its closing `...`). */
function blockAfter (lines, index) {
  let end = index + 1
  if (!/^\s+---$/.test(lines[end] ?? '')) return []
  while (end < lines.length && !/^\s+\.\.\.$/.test(lines[end])) end++
  return lines.slice(index + 1, end)
}

/** The last lines of a file's stderr log (written beside its TAP by the lanes), for a file that crashed. */
function logTail (tapFile) {
  try {
    return readFileSync(tapFile.replace(/\.tap$/, '.log'), 'utf8').trimEnd().split('\n').slice(-8).map((l) => l.slice(0, 300))
  } catch { return [] }
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
        reasons.push([`${file.split('/').slice(-1)[0]}: ${point[2] ?? ''}`, ...why([...lines.slice(bodyStart, index), ...blockAfter(lines, index)]).map((l) => `    ${l}`)])
      }
      bodyStart = index + 1
    }
    if (/^1\.\.\d+/.test(line)) hasPlan = true
    if (/^Bail out!/.test(line)) fileFailed++
  }
  if (!hasPlan && fileFailed === 0) {
    fileFailed = 1
    failures.push(`${file}: ended without a plan (crashed or timed out)`)
    reasons.push([`${file.split('/').slice(-1)[0]}: ended without a plan; the end of its log:`, ...logTail(file).map((l) => `    ${l}`)])
  }
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
