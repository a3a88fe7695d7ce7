import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { tempDir } from '@watch-together/test-kit'
import t from 'tap'
import { buildTestApp } from './helpers/app.js'

t.test('unknown page addresses get the client\'s 404 page with a real 404; API and file misses stay JSON', async (t) => {
  const dist = tempDir(t, 'wt-web-')
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>client</title>')
  const { app } = await buildTestApp(t, { WEB_DIST_DIR: dist })
  const html = { accept: 'text/html,application/xhtml+xml' }
  const page = await app.inject({ url: '/no/such/page', headers: html })
  t.equal(page.statusCode, 404)
  t.match(page.headers['content-type'], /^text\/html/)
  t.match(page.body, /<title>client<\/title>/, 'the client, which shows its styled not-found page')
  t.equal((await app.inject({ url: '/rooms/x', headers: html })).statusCode, 200, 'a known page is 200')
  for (const url of ['/api/v1/nope', '/assets/missing.js', '/no/such/page']) {
    const res = await app.inject({ url, headers: url === '/no/such/page' ? { accept: 'application/json' } : html })
    t.equal(res.statusCode, 404, url)
    t.equal(res.json().errors[0].code, 'NOT_FOUND', `${url}: the JSON error envelope`)
  }
})
