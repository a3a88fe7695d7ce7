// Pure helpers of the page, without a browser: pasted tokens, cookies, time formatting, room names,
// and the words for accounts, friends, matches and invitations.
import t from 'tap'
import {
  accountProblem, avatarProblem, displayNameProblem, emailProblem, endedWords, friendProblem, handleProblem, namesText, passwordProblem, waitWords
} from '../src/account-words.js'
import { ApiError } from '../src/api.js'
import { invitationText } from '../src/live.js'
import { formatTime } from '../src/dom.js'
import { nameFromInput, nameProblem, nameSuggestion, sentence } from '../src/room-names.js'
import { readCookie, sessionFromToken } from '../src/session.js'

const jwt = (claims: object) => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`

t.test('a pasted token gives the user from its claims', async (t) => {
  t.same(sessionFromToken(` ${jwt({ sub: 'u1', name: 'Ольга', exp: 2_000_000_000 })} `), {
    token: jwt({ sub: 'u1', name: 'Ольга', exp: 2_000_000_000 }),
    user: { id: 'u1', name: 'Ольга' },
    expiresAt: new Date(2_000_000_000_000).toISOString(),
    kind: 'token'
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

t.test('the CSRF cookie is read from document.cookie', async (t) => {
  t.equal(readCookie('wt_csrf', 'theme=dark; wt_csrf=abc%2Bdef; other=1'), 'abc+def')
  t.equal(readCookie('wt_csrf', 'wt_csrf_old=x'), null, 'not a prefix match')
  t.equal(readCookie('wt_csrf', ''), null)
})

const refusal = (status: number, code: string, message: string, extra: { path?: string, suggestion?: string } = {}, retryAfter: number | null = null) =>
  new ApiError(status, code, message, [{ code, message, ...extra }], retryAfter)

t.test('sign-in and sign-up refusals in words, never codes', async (t) => {
  t.match(accountProblem(refusal(401, 'ROOM_SIGN_IN_FAILED', 'the email or the password is wrong')).message, /^That email and password do not match an account/)
  t.equal(accountProblem(refusal(429, 'ROOM_SIGN_IN_LOCKED', 'too many failed sign-ins; retry in 900 s', {}, 900)).message,
    'Too many failed attempts to sign in to this account, so it is paused for safety. Please try again in about 15 minutes.')
  t.match(accountProblem(refusal(429, 'ROOM_RATE_LIMITED', 'too many requests', {}, 42)).message, /wait 42 seconds/)
  t.same(accountProblem(refusal(409, 'ROOM_EMAIL_TAKEN', 'an account with this email exists'), { email: ' Vasily@Example.com ' }),
    { field: 'email', message: 'There is already an account with vasily@example.com. Sign in to it instead.' })
  t.same(accountProblem(refusal(409, 'ROOM_HANDLE_TAKEN', 'the handle @vasily is taken; try @vasily_2', { path: 'body.handle', suggestion: 'vasily_2' }), { handle: '@Vasily' }),
    { field: 'handle', message: '@vasily is already taken.', suggestion: 'vasily_2' })
  t.same(accountProblem(refusal(400, 'VALIDATION_FAILED', 'expected an email address', { path: 'body.email' })),
    { field: 'email', message: 'This does not look like an email address (like name@example.com).' })
  t.match(accountProblem(refusal(400, 'VALIDATION_FAILED', 'a password has at least 10 characters', { path: 'body.password' })), { field: 'password', message: /at least 10 characters/ })
  t.same(accountProblem(refusal(400, 'VALIDATION_FAILED', 'bad', { path: 'body.handle' }), { handle: '9lives' }), { field: 'handle', message: 'A handle starts with a latin letter.' })
  t.equal(accountProblem(refusal(503, 'ROOM_DB_UNAVAILABLE', 'database unavailable')).message, 'Something went wrong on our side. Please try again in a moment.')
  t.equal(accountProblem(refusal(403, 'ROOM_PASSWORD_WRONG', 'the current password is wrong')).field, 'currentPassword')
  t.match(endedWords('ROOM_REFRESH_REUSED'), /used from somewhere else/)
  t.equal(endedWords(null), null)
})

t.test('fields checked before asking room-api', async (t) => {
  t.equal(emailProblem(''), 'Please enter your email address.')
  t.match(emailProblem('vasily@'), /does not look like an email/)
  t.equal(emailProblem(' Vasily@Example.com '), null)
  t.equal(passwordProblem('short'), 'Please use at least 10 characters for your password (this one has 5).')
  t.equal(passwordProblem('correct horse battery'), null)
  t.equal(displayNameProblem('  '), 'Please enter a name: it is what friends see.')
  t.equal(displayNameProblem('Ольга'), null, 'any script')
  t.match(displayNameProblem('evil\u202ename'), /control characters/)
  t.equal(handleProblem(''), null, 'optional')
  t.equal(handleProblem('@Vasily_2'), null, 'an @ and capitals are fine')
  t.equal(handleProblem('va'), 'Too short: a handle has at least 3 characters.')
  t.equal(handleProblem('vasily petrov'), 'Only latin letters, digits and underscores can be used in a handle: “space” cannot.')
  t.equal(handleProblem('вася'), 'A handle starts with a latin letter.')
  t.equal(handleProblem('admin'), '@admin is reserved for the site itself: please pick another.')
  t.equal(waitWords(1), '1 second')
  t.equal(waitWords(61), 'about 2 minutes')
})

t.test('avatars are checked for type and size before the upload', async (t) => {
  t.equal(avatarProblem({ type: 'image/png', size: 10_000 }), null)
  t.equal(avatarProblem({ type: 'image/svg+xml', size: 1000 }), 'Please choose a PNG, JPEG, WebP or GIF picture.')
  t.equal(avatarProblem({ type: 'image/jpeg', size: 600 * 1024 }), 'That picture is 600 KB: the largest is 512 KB. Please pick a smaller one (or crop it).')
  t.equal(avatarProblem({ type: 'image/gif', size: 0 }), 'That file is empty.')
})

t.test('friends, matches and invitations read as sentences', async (t) => {
  t.equal(friendProblem(refusal(409, 'ROOM_FRIEND_REQUEST_EXISTS', 'x'), 'Petr'), 'You already asked Petr: wait for an answer.')
  t.equal(friendProblem(refusal(403, 'ROOM_NOT_FRIEND', 'x'), 'Petr'), 'Only friends can be invited, and Petr is not (any more).')
  t.equal(namesText(['Petr']), 'Petr')
  t.equal(namesText(['Petr', 'Anna']), 'Petr and Anna')
  t.equal(namesText(['Petr', 'Anna', 'Ivan']), 'Petr, Anna and Ivan')
  t.equal(namesText(['Petr', 'Anna', 'Ivan'], 5), 'Petr, Anna and 3 more')
  const invitation = { from: { userId: 'v', name: 'Vasily' }, film: { id: 'sintel', title: 'Sintel' }, roomName: null }
  t.equal(invitationText(invitation), 'Vasily invites you to watch Sintel')
  t.equal(invitationText({ ...invitation, roomName: 'movie-night' }), 'Vasily invites you to watch Sintel in “movie-night”')
})
