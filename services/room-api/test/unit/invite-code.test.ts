import t from 'tap'
import { InviteCode } from '@watch-together/protocol'
import { newInviteCode } from '../../src/rooms/invite-code.js'

t.test('invite codes: 12 base62 characters, every character used, no repeats', async (t) => {
  const codes = Array.from({ length: 20_000 }, () => newInviteCode())
  t.ok(codes.every((c) => /^[0-9A-Za-z]{12}$/.test(c) && InviteCode.safeParse(c).success))
  t.equal(new Set(codes).size, codes.length)
  t.equal(new Set(codes.join('')).size, 62, 'the whole alphabet appears')
})
