// fast-check arbitraries for the realtime fuzz tests: valid client frames mirroring the zod schemas in
// packages/protocol/src/realtime.ts (the schemas stay the oracle: ClientFrame.safeParse decides what is valid),
// mutations of them, and raw garbage. FUZZ_RUNS sets the iterations (the test suite runs a short pass).
import { LEGACY_MESSAGES } from '@watch-together/protocol'
import fc from 'fast-check'

export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 200)
export const FUZZ_SEED = process.env.FUZZ_SEED === undefined ? undefined : Number(process.env.FUZZ_SEED)
export const fuzzParams = { numRuns: FUZZ_RUNS, ...(FUZZ_SEED === undefined ? {} : { seed: FUZZ_SEED }), endOnFailure: true }

const ref = fc.option(fc.string({ maxLength: 64 }), { nil: undefined })
const version = fc.nat({ max: 50 })
const leadMs = fc.option(fc.integer({ min: 0, max: 5000 }), { nil: undefined })
const items = fc.array(fc.string({ minLength: 1, maxLength: 128 }), { maxLength: 20 })

/** One valid frame of each client type (as the schema allows; the server may still refuse it by state). */
export const validFrame: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.record({ type: fc.constant('clock.ping'), ref, clientSentAt: fc.double({ noNaN: true, noDefaultInfinity: true }) }, { requiredKeys: ['type', 'clientSentAt'] }),
  fc.record({ type: fc.constant('player.play'), ref, version, leadMs }, { requiredKeys: ['type', 'version'] }),
  fc.record({ type: fc.constant('player.pause'), ref, version }, { requiredKeys: ['type', 'version'] }),
  fc.record({ type: fc.constant('player.seek'), ref, version, positionMs: fc.integer({ min: 0, max: 1e9 }), leadMs }, { requiredKeys: ['type', 'version', 'positionMs'] }),
  fc.record({ type: fc.constant('player.set_rate'), ref, version, rate: fc.double({ min: 0.25, max: 4, noNaN: true }) }, { requiredKeys: ['type', 'version', 'rate'] }),
  fc.record({ type: fc.constantFrom('player.next', 'player.previous'), ref, version }, { requiredKeys: ['type', 'version'] }),
  fc.record({ type: fc.constant('player.jump'), ref, version, index: fc.nat({ max: 30 }) }, { requiredKeys: ['type', 'version', 'index'] }),
  fc.record({ type: fc.constant('player.replace_queue'), ref, version, items, index: fc.option(fc.nat({ max: 30 }), { nil: undefined }) }, { requiredKeys: ['type', 'version', 'items'] }),
  fc.record({ type: fc.constant('player.append_queue'), ref, version, items: items.filter((a) => a.length > 0) }, { requiredKeys: ['type', 'version', 'items'] }),
  fc.record({ type: fc.constant('chat.send'), ref, clientMessageId: fc.string({ minLength: 1, maxLength: 64 }), text: fc.string({ minLength: 1, maxLength: 1200 }), positionMs: fc.option(fc.nat(), { nil: undefined }) }, { requiredKeys: ['type', 'clientMessageId', 'text'] }),
  fc.record({ type: fc.constant('chat.react'), ref, messageId: fc.string({ minLength: 1, maxLength: 64 }), emoji: fc.string({ minLength: 1, maxLength: 32 }) }, { requiredKeys: ['type', 'messageId', 'emoji'] }),
  fc.record({ type: fc.constant('chat.set_typing'), ref, typing: fc.boolean() }, { requiredKeys: ['type', 'typing'] }),
  fc.record({ type: fc.constant('chat.delete'), ref, messageId: fc.oneof(fc.string({ minLength: 1, maxLength: 64 }), fc.uuid()) }, { requiredKeys: ['type', 'messageId'] }),
  fc.record({ type: fc.constant('buffering.report'), ref, buffering: fc.boolean(), waitForMe: fc.option(fc.boolean(), { nil: undefined }) }, { requiredKeys: ['type', 'buffering'] })
)

const anyJson = fc.jsonValue({ maxDepth: 3 })

/** A valid frame with one field removed, retyped, or an extra type/field swapped in. */
export const mutatedFrame: fc.Arbitrary<Record<string, unknown>> = fc.tuple(validFrame, fc.nat(), anyJson, fc.constantFrom('drop', 'retype', 'swap-type', 'extra', 'huge-number'))
  .map(([frame, pick, value, how]) => {
    const copy: Record<string, unknown> = { ...frame }
    const keys = Object.keys(copy)
    const key = keys[pick % keys.length]!
    if (how === 'drop') delete copy[key]
    else if (how === 'retype') copy[key] = value
    else if (how === 'swap-type') copy.type = ['player.seek', 'chat.send', 'player.jump', 'chat.react', 'chat.delete', '__proto__', 'constructor', ''][pick % 8]
    else if (how === 'extra') copy[`x${pick}`] = value
    else copy[key] = [1e308, -1, -0, 2 ** 53, Number.MAX_SAFE_INTEGER + 2][pick % 5]
    return copy
  })

/** A text frame of any kind: JSON of valid or mutated frames, JSON scalars and arrays, cut JSON, or any string. */
export const anyTextFrame: fc.Arbitrary<string> = fc.oneof(
  validFrame.map((f) => JSON.stringify(f)),
  mutatedFrame.map((f) => JSON.stringify(f)),
  anyJson.map((v) => JSON.stringify(v)),
  fc.tuple(validFrame, fc.nat()).map(([f, n]) => { const s = JSON.stringify(f); return s.slice(0, n % s.length) }),
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom('{"type":"__proto__"}', '{"__proto__":{"type":"player.play"}}', '{"type":"constructor","version":0}', '[]', 'null', '1e999', '"\\u0000"')
)

// ---- the original protocol (seeds/000) ----
const LEGACY_TYPES = Object.keys(LEGACY_MESSAGES)
const mostlyValid = <T>(valid: fc.Arbitrary<T>) => fc.oneof({ arbitrary: valid, weight: 4 }, { arbitrary: anyJson, weight: 1 })
const track = fc.oneof(fc.integer(), fc.string({ maxLength: 10 }))

/** Fields of the original protocol, each with valid and invalid values, placed at the top level or under data. */
export const legacyMessage: fc.Arbitrary<Record<string, unknown>> = fc.tuple(
  fc.oneof({ arbitrary: fc.constantFrom(...LEGACY_TYPES), weight: 5 }, fc.string({ maxLength: 20 })),
  fc.record({
    tracks_queue: mostlyValid(fc.array(track, { maxLength: 8 })),
    queue_position: mostlyValid(fc.nat({ max: 10 })),
    time_state_update: mostlyValid(fc.integer({ min: 0, max: 2e9 })),
    last_sec_position: mostlyValid(fc.double({ min: 0, max: 1e5, noNaN: true }))
  }, { requiredKeys: [] }),
  fc.boolean(),
  fc.option(anyJson, { nil: undefined })
).map(([type, fields, underData, data]) => {
  if (data !== undefined && underData) return { type_push_state: type, data }
  return underData ? { type_push_state: type, data: fields } : { type_push_state: type, ...fields }
})

export const anyLegacyText: fc.Arbitrary<string> = fc.oneof(
  legacyMessage.map((m) => JSON.stringify(m)),
  anyJson.map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 200 })
)
