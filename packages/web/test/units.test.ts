// Pure helpers of the page, without a browser: pasted tokens, time formatting, room names, counters.
import t from 'tap'
import { formatTime } from '../src/dom.js'
import { roomCountersText, serviceCountersText } from '../src/room/counters.js'
import { nameFromInput, nameProblem, nameSuggestion, sentence } from '../src/room-names.js'
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

t.test('room names: what was typed or pasted, and refusals in plain words', async (t) => {
  t.equal(nameFromInput('  Movie-Night '), 'movie-night')
  t.equal(nameFromInput('https://wt.example.org/r/Movie-Night'), 'movie-night', 'a pasted link by name')
  t.equal(nameFromInput('http://127.0.0.1:3001/r/movie-night/?utm=x'), 'movie-night')
  t.equal(nameFromInput('“movie-night”'), 'movie-night', 'quotes copied with it')
  t.equal(nameFromInput('   '), '')

  t.equal(nameProblem('Movie-Night'), null, 'valid (any case)')
  t.equal(nameProblem('ab'), 'Too short: a room name has at least 3 characters.')
  t.match(nameProblem('a'.repeat(41)), /^Too long: .* at most 40 characters \(this one has 41\)\.$/)
  t.equal(nameProblem('movie night'), 'No spaces, please: join words with a hyphen, like movie-night.')
  t.equal(nameProblem('кино'), 'Only latin letters (a–z), digits and hyphens can be used: “к” cannot.')
  t.equal(nameProblem('-night'), 'A room name starts and ends with a letter or a digit, not a hyphen.')
  t.equal(nameProblem('movie--night'), 'Use single hyphens between words, not two in a row.')
  t.equal(nameProblem('Admin'), '“admin” is reserved for the site itself: please pick another name.')

  t.equal(nameSuggestion('Movie Night!'), 'movie-night')
  t.equal(nameSuggestion('Café  crème'), 'cafe-creme', 'accents dropped')
  t.equal(nameSuggestion('movie-night'), null, 'nothing to suggest for a name that is already one')
  t.equal(nameSuggestion('кино'), null, 'nothing latin to make one of')
  t.equal(nameSuggestion('api'), null, 'never a reserved word')
  t.equal(sentence('a room name has at least 3 characters'), 'A room name has at least 3 characters.')
  t.equal(sentence('Done.'), 'Done.')
})

t.test('counters read as a sentence', async (t) => {
  const c = { room: { online: 3, playing: 2, buffering: 0 }, service: { connectedUsers: 120, activeRooms: 31, filmViewers: 9 } }
  t.equal(roomCountersText(c), '3 here · 2 playing', 'buffering only when someone is')
  t.equal(roomCountersText({ ...c, room: { online: 3, playing: 2, buffering: 1 } }), '3 here · 2 playing · 1 buffering')
  t.equal(serviceCountersText(c, 'Sintel'), '120 online on Watch Together · 9 watching Sintel')
})
