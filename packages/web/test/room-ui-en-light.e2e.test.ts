// The room's user story: the host on a desktop in English and a light theme, the guest on a phone in
// Russian and a dark theme (room-ui-ru-dark crosses them). The story itself: helpers/room-story.ts.
import t from 'tap'
import { story } from './helpers/room-story.js'

// Real browsers on a shared 2-core machine: a whole user story can outlast tap's default 120 s under load.
t.setTimeout(300_000)

t.test('desktop in English and light, phone in Russian and dark', (t) => story(t,
  { size: 'desktop', lang: 'en', theme: 'light' }, { size: 'phone', lang: 'ru', theme: 'dark' }))
