// Pure helpers of the page, without a browser: pasted tokens and time formatting.
import t from 'tap'
import { formatTime } from '../src/dom.js'
import { sessionFromToken } from '../src/session.js'

const jwt = (claims: object) => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`

t.test('a pasted token gives the user from its claims', async (t) => {
  t.same(sessionFromToken(` ${jwt({ sub: 'u1', name: 'Ольга', exp: 2_000_000_000 })} `), {
    token: jwt({ sub: 'u1', name: 'Ольга', exp: 2_000_000_000 }),
    user: { id: 'u1', name: 'Ольга' },
    expiresAt: new Date(2_000_000_000_000).toISOString()
  })
  t.equal(sessionFromToken(jwt({ sub: 'u2' })).user.name, 'u2', 'the name falls back to the id')
  t.throws(() => sessionFromToken('not-a-jwt'), /three dot-separated parts/)
  t.throws(() => sessionFromToken('a.!!!.c'), /could not be read/)
  t.throws(() => sessionFromToken(jwt({ name: 'x' })), /no user id/)
})

t.test('times read as a player shows them', async (t) => {
  t.equal(formatTime(0), '0:00')
  t.equal(formatTime(30_999), '0:30')
  t.equal(formatTime(61_000), '1:01')
  t.equal(formatTime(3_725_000), '1:02:05')
  t.equal(formatTime(-5), '0:00')
})
