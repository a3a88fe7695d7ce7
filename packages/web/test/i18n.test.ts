// The two catalogues without a browser: the same keys in English and Russian (plural forms aside),
// Russian plural rules, numbers and durations per locale, the language chosen from the browser, and
// every error shown in words from the catalogue (never the code itself).
import t from 'tap'
import { en } from '../src/i18n/en.js'
import { detectLanguage, errorText, formatDuration, formatMs, formatOffset, i18n } from '../src/i18n/index.js'
import { ru } from '../src/i18n/ru.js'
import type { Strings } from '../src/i18n/strings.js'

const PLURAL = /_(zero|one|two|few|many|other)$/
function keys (s: Strings, prefix = ''): string[] {
  return [...new Set(Object.entries(s).flatMap(([k, v]) => typeof v === 'string' ? [`${prefix}${k.replace(PLURAL, '')}`] : keys(v, `${prefix}${k}.`)))].sort()
}

t.test('English and Russian have the same keys; Russian has every plural form it needs', async (t) => {
  t.same(keys(ru), keys(en))
  const flat = (s: Strings, prefix = ''): string[] => Object.entries(s).flatMap(([k, v]) => typeof v === 'string' ? [`${prefix}${k}`] : flat(v, `${prefix}${k}.`))
  const ruKeys = new Set(flat(ru))
  for (const key of flat(en).filter((k) => k.endsWith('_other'))) {
    const stem = key.replace(/_other$/, '')
    for (const form of ['one', 'few', 'many', 'other']) t.ok(ruKeys.has(`${stem}_${form}`), `${stem}_${form}`)
  }
})

t.test('plurals, numbers and durations follow the language', async (t) => {
  const tr = (lang: string) => i18n.getFixedT(lang)
  t.equal(tr('en')('room.members.count', { count: 1 }), '1 person')
  t.equal(tr('en')('room.members.count', { count: 5 }), '5 people')
  t.equal(tr('ru')('room.members.count', { count: 1 }), '1 человек')
  t.equal(tr('ru')('room.members.count', { count: 3 }), '3 человека')
  t.equal(tr('ru')('room.members.count', { count: 5 }), '5 человек')
  t.equal(tr('ru')('room.counters.playing', { count: 21 }), '21 смотрит')
  t.equal(tr('ru')('room.counters.playing', { count: 22 }), '22 смотрят')
  t.equal(tr('en')('room.counters.online', { count: 120 }), '120 online on Watch Together')
  t.equal(formatDuration(3000, 'en'), '3 sec')
  t.equal(formatDuration(65_000, 'en'), '1 min 5 sec')
  t.match(formatDuration(3000, 'ru'), /^3 с/)
  t.equal(formatMs(55, 'en'), '55 ms')
  t.equal(formatMs(55, 'ru'), '55 мс')
  t.equal(formatOffset(12, 'en'), '+12 ms')
  t.equal(formatOffset(-12, 'en'), '-12 ms')
})

t.test('the language: the saved choice, else the browser\'s first we have, else English', async (t) => {
  t.equal(detectLanguage('ru', ['en-US']), 'ru')
  t.equal(detectLanguage(null, ['de-DE', 'ru-RU', 'en']), 'ru')
  t.equal(detectLanguage('xx', ['de']), 'en')
  t.equal(detectLanguage(null, []), 'en')
})

t.test('errors in words from the catalogue, keyed by the stable code; never the code, JSON or a validator\'s text', async (t) => {
  t.equal(errorText({ code: 'ROOM_NOT_FOUND', message: 'room x not found' }), en.errors.ROOM_NOT_FOUND)
  t.equal(errorText({ code: 'VALIDATION_FAILED', message: 'Invalid UUID' }), en.errors.VALIDATION_FAILED)
  t.equal(errorText({ code: 'SOMETHING_NEW', message: '{"raw":"json"}' }), en.errors.unknown, 'an unknown code: a general sentence')
  t.equal(errorText(new Error('boom')), en.errors.unknown)
  t.equal(i18n.getFixedT('ru')('errors.RT_NOT_ALLOWED'), (ru.errors as Strings).RT_NOT_ALLOWED)
})

t.test('the account pages\' words in Russian: refusals by code, plural forms, names joined in Russian', async (t) => {
  const { accountProblem, friendProblem, namesText, passwordProblem, waitWords } = await import('../src/account-words.js')
  const { ApiError } = await import('../src/api.js')
  await i18n.changeLanguage('ru')
  t.teardown(() => i18n.changeLanguage('en'))
  t.equal(waitWords(1), '1 секунду')
  t.equal(waitWords(3), '3 секунды')
  t.equal(waitWords(900), '15 минут')
  t.equal(passwordProblem('short'), 'Пароль должен быть не короче 10 символов (сейчас 5).')
  t.equal(accountProblem(new ApiError(429, 'ROOM_SIGN_IN_LOCKED', 'too many failed sign-ins', [], 900)).message,
    'Слишком много неудачных попыток войти в этот аккаунт, поэтому вход приостановлен ради безопасности. Попробуйте снова через 15 минут.')
  t.equal(accountProblem(new ApiError(400, 'SOMETHING_NEW', 'raw english from the server')).message, (ru.errors as Strings).unknown, 'an unknown code: the general sentence, never the server\'s text')
  t.equal(friendProblem(new ApiError(409, 'ROOM_ALREADY_FRIENDS', 'x'), 'Пётр'), 'Пётр уже у вас в друзьях.', 'a name stays in the nominative (names are not declined)')
  t.equal(namesText(['Пётр', 'Анна', 'Иван']), 'Пётр, Анна и Иван')
  t.equal(namesText(['Пётр', 'Анна', 'Иван'], 7), 'Пётр, Анна и ещё 5')
})
