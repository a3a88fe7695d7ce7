// Fuzzing the original protocol (/sync-player/ws, seeds/000) with fast-check: messages built from the fields
// of LEGACY_MESSAGES with valid and invalid values, at the top level or under `data`, plus garbage. Properties:
// a message parseLegacyMessage refuses is answered {"type_push_state":"invalid_format"}, leaves the state as it
// was and reaches no other device; every answer is one of the documented shapes; the socket stays open.
import { randomUUID } from 'node:crypto'
import { LEGACY_INVALID_FORMAT, LEGACY_NO_TRACK_STATE, LegacyState, parseLegacyMessage } from '@watch-together/protocol'
import fc from 'fast-check'
import t from 'tap'
import { anyLegacyText, fuzzParams } from './fuzz-frames.js'
import { startApp, testConfig, TestClient, ticket, type Frame } from './helpers.js'

const { base, http } = await startApp(t, testConfig())

async function device (userId: string) {
  const client = new TestClient(`${base}/sync-player/ws?ticket=${await ticket(randomUUID(), { userId })}`)
  await client.next(() => true, 'the state on connect')
  return client
}

const stateLike = (frame: Frame) => LegacyState.safeParse(frame).success || frame.type_push_state === LEGACY_NO_TRACK_STATE.type_push_state

/**
 * Every answer to what was sent before, then the reply to a get_player_state sent now (messages are handled in
 * order). `stateAnswers` is how many of those earlier answers are themselves a state or no_track_state.
 */
async function answersThenState (client: TestClient, stateAnswers = 0): Promise<{ answers: Frame[], state: Frame }> {
  client.send({ type_push_state: 'get_player_state' })
  const answers: Frame[] = []
  for (;;) {
    const frame = await client.next(() => true, 'an answer')
    if (stateLike(frame) && stateAnswers-- <= 0) return { answers, state: frame }
    answers.push(frame)
  }
}

const documented = (frame: Frame) => LegacyState.safeParse(frame).success ||
  frame.type_push_state === LEGACY_NO_TRACK_STATE.type_push_state || frame.type_push_state === LEGACY_INVALID_FORMAT.type_push_state

for (const start of ['no state yet', 'a queue playing'] as const) {
  t.test(`refused messages (${start}): invalid_format, state unchanged, nothing relayed`, async (t) => {
    const user = `fuzz-${randomUUID()}`
    const sender = await device(user)
    const other = await device(user)
    t.teardown(() => Promise.all([sender.close(), other.close()]))
    if (start === 'a queue playing') {
      sender.send({ type_push_state: 'new_tracks_queue', tracks_queue: [1, 2, 3], queue_position: 0, time_state_update: 1000 })
      await other.next(() => true, 'the relayed queue')
    }
    let { state: before } = await answersThenState(sender)
    let checked = 0
    // Relays travel through Redis pub/sub and may reach the other device after the sender's next answer,
    // so a relay of an earlier valid message can still be on its way: what it receives is checked by
    // content, as the JSON of a valid message sent before (a relay is the sent text, as is).
    const sentValid = new Set<string>()
    const stray = () => other.pending().filter((frame) => !sentValid.has(JSON.stringify(frame)))
    await fc.assert(fc.asyncProperty(anyLegacyText, async (text) => {
      let json: unknown
      try { json = JSON.parse(text) } catch { json = undefined }
      const parsed = json === undefined ? null : parseLegacyMessage(json)
      const valid = parsed !== null
      // A valid get_player_state is answered with the state; a valid update without a state with no_track_state.
      const noState = before.type_push_state === LEGACY_NO_TRACK_STATE.type_push_state
      const stateAnswers = parsed?.type === 'get_player_state' || (noState && parsed !== null && parsed.type !== 'new_tracks_queue') ? 1 : 0
      sender.send(text)
      const { answers, state } = await answersThenState(sender, stateAnswers)
      if (!answers.every(documented)) throw new Error(`undocumented answer to ${text}: ${JSON.stringify(answers)}`)
      if (!valid) {
        checked++
        if (answers.length !== 1 || answers[0]!.type_push_state !== 'invalid_format') throw new Error(`${text} → ${JSON.stringify(answers)}`)
        if (JSON.stringify(state) !== JSON.stringify(before)) throw new Error(`${text} changed the state`)
      }
      // Valid messages may change the state (and are relayed); refused ones must not reach the other device.
      if (valid) sentValid.add(JSON.stringify(json))
      else if (stray().length > 0) throw new Error(`${text} was relayed: ${JSON.stringify(stray())}`)
      while (other.pending().length > 0) await other.next(() => true)
      before = state
      return true
    }), fuzzParams)
    t.ok(checked > 0, `${checked} refused messages checked`)
    t.equal(sender.socket.readyState, sender.socket.OPEN, 'the socket stayed open')
  })
}

t.test('binary and empty frames are invalid_format; the service stays healthy', async (t) => {
  const client = await device(`fuzz-${randomUUID()}`)
  await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 512 }), async (bytes) => {
    client.socket.send(bytes, { binary: true })
    const { answers } = await answersThenState(client)
    return answers.length === 1 && answers[0]!.type_push_state === 'invalid_format'
  }), { ...fuzzParams, numRuns: Math.max(5, Math.floor(fuzzParams.numRuns / 5)) })
  await client.close()
  t.equal((await fetch(`${http}/healthz`)).status, 200)
})
