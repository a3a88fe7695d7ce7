import { existsSync } from 'node:fs'
import { join } from 'node:path'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance } from 'fastify'

export interface WebClientOptions {
  /** The built web client: index.html, assets/ (hashed names), media/ (demo films). */
  root: string
  realtimeUrl: string
  devSignIn: boolean
}

/** The client-side routes: each answers index.html and the page's router takes over. */
const PAGES = ['/', '/catalog', '/sign-in', '/rooms/:roomId', '/profile', '/friends', '/matches']

/**
 * Serves the web client from room-api: one origin for the page, the API and the invite links
 * (no CORS). Hashed assets are cached for a year; index.html and config.json never are, so a
 * deploy takes effect on the next load. Films are served with Range support (seeking).
 */
export async function webClientRoutes (app: FastifyInstance, opts: WebClientOptions) {
  app.get('/config.json', { schema: { hide: true } }, async (_request, reply) => {
    reply.header('cache-control', 'no-cache')
    return { realtimeUrl: opts.realtimeUrl, devSignIn: opts.devSignIn }
  })
  if (!existsSync(join(opts.root, 'index.html'))) {
    app.log.warn({ root: opts.root }, 'web client not built (pnpm --filter @watch-together/web build): not serving it')
    return
  }
  await app.register(fastifyStatic, {
    root: opts.root,
    index: false,
    cacheControl: false,
    acceptRanges: true,
    // One route per built file (the build is done before the server starts): the catch-all below
    // then sees every other address.
    wildcard: false,
    setHeaders (res, path) {
      if (path.includes('/assets/')) res.header('cache-control', 'public, max-age=31536000, immutable')
      else if (path.includes('/media/')) res.header('cache-control', 'public, max-age=86400')
      else res.header('cache-control', 'no-cache')
    }
  })
  for (const url of PAGES) {
    app.get(url, { schema: { hide: true } }, async (_request, reply) => {
      reply.header('cache-control', 'no-cache')
      return reply.sendFile('index.html')
    })
  }
  // Any other page address a browser asks for gets the client, which shows its styled not-found page,
  // with a real 404 status; API, invite and file misses keep the JSON not-found answer.
  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const path = request.url.split('?')[0] ?? ''
    const page = !/^\/(api|r|media|assets)\//.test(path) && !/\.[a-z0-9]+$/i.test(path) && (request.headers.accept ?? '').includes('text/html')
    if (!page) return reply.callNotFound()
    reply.code(404).header('cache-control', 'no-cache')
    return reply.sendFile('index.html')
  })
}
