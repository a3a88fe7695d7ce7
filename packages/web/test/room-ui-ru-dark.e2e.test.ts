// The room's user story: the host on a desktop in Russian and a dark theme, the guest on a phone in
// English and a light theme (room-ui-en-light crosses them). The story itself: helpers/room-story.ts.
import t from 'tap'
import { story } from './helpers/room-story.js'

// Real browsers on a shared 2-core machine: a whole user story can outlast tap's default 120 s under load.
t.setTimeout(300_000)

t.test('desktop in Russian and dark, phone in English and light', (t) => story(t,
  { size: 'desktop', lang: 'ru', theme: 'dark' }, { size: 'phone', lang: 'en', theme: 'light' }))
