import { EmptySuccess, ErrorBody, FilmIdParams, FilmResponse, FilmsQuery, FilmsResponse, WatchlistResponse } from '@watch-together/protocol'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { LibraryRepository } from '../rooms/library-repository.js'

const ok = <T extends object>(data: T) => ({ success: true as const, errors: [], ...data })
const fail = { '4xx': ErrorBody, '5xx': ErrorBody }

/** The catalog (public) and the signed-in user's "want to watch" list (friends and matches: friends-routes.ts). */
export const catalogRoutes: FastifyPluginAsyncZod<{ library: LibraryRepository }> = async (app, { library }) => {
  app.get('/films', {
    schema: { tags: ['catalog'], summary: 'List films and tracks; search (q, English and Russian, prefixes, typos) and filter (kind, genre, year, language)', querystring: FilmsQuery, response: { 200: FilmsResponse, ...fail } }
  }, async (request) => ok(await library.films(request.query, request.query.limit ?? 20, request.query.offset ?? 0)))

  app.get('/films/:filmId', {
    schema: { tags: ['catalog'], summary: 'One film', params: FilmIdParams, response: { 200: FilmResponse, ...fail } }
  }, async (request) => ok({ film: await library.film(request.params.filmId) }))
}

export const meRoutes: FastifyPluginAsyncZod<{ library: LibraryRepository }> = async (app, { library }) => {
  app.addHook('onRequest', app.authenticate)
  const secured = { tags: ['me'], security: [{ bearer: [] }] }

  app.get('/me/watchlist', {
    schema: { ...secured, summary: 'My "want to watch" list, newest first', response: { 200: WatchlistResponse, ...fail } }
  }, async (request) => ok({ items: await library.watchlist(request.user.id) }))

  app.put('/me/watchlist/:filmId', {
    schema: { ...secured, summary: 'Add a film to my list (idempotent)', params: FilmIdParams, response: { 200: WatchlistResponse, ...fail } }
  }, async (request) => {
    await library.addToWatchlist(request.user.id, request.params.filmId)
    return ok({ items: await library.watchlist(request.user.id) })
  })

  app.delete('/me/watchlist/:filmId', {
    schema: { ...secured, summary: 'Remove a film from my list (idempotent)', params: FilmIdParams, response: { 200: EmptySuccess, ...fail } }
  }, async (request) => {
    await library.removeFromWatchlist(request.user.id, request.params.filmId)
    return ok({})
  })
}
