import {
  BlocksResponse, ErrorBody, FriendIdParams, FriendProfilesResponse, FriendRequestBody, FriendRequestsResponse, MatchesQuery,
  PeopleMatchesResponse, PeopleQuery, PeopleResponse, PersonRefParams, PersonResponse, RelationshipResponse
} from '@watch-together/protocol'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import type { UsersRepository } from '../accounts/users-repository.js'
import type { FriendsRepository } from '../friends/friends-repository.js'
import type { FriendsService } from '../friends/friends-service.js'

const ok = <T extends object>(data: T) => ({ success: true as const, errors: [], ...data })
const fail = { '4xx': ErrorBody, '5xx': ErrorBody }

export interface FriendsRoutesOptions { users: UsersRepository, friends: FriendsService, queries: FriendsRepository }

/** People search, friend requests, friends, blocks and matches; all for the signed-in user. */
export const friendsRoutes: FastifyPluginAsyncZod<FriendsRoutesOptions> = async (app, { users, friends, queries }) => {
  app.addHook('onRequest', app.authenticate)
  // Whoever holds a valid token has a users row from their first call on (named by the token).
  app.addHook('preHandler', async (request) => { await users.ensure(request.user) })
  const me = { tags: ['friends'], security: [{ bearer: [] }] }
  const people = { tags: ['people'], security: [{ bearer: [] }] }
  const relationship = { 200: RelationshipResponse, ...fail }

  app.get('/people', {
    schema: { ...people, summary: 'Find people by handle or display name prefix (never by email)', querystring: PeopleQuery, response: { 200: PeopleResponse, ...fail } }
  }, async (request) => {
    const { q, limit, offset } = request.query
    return ok(await users.search(request.user.id, q, limit ?? 20, offset ?? 0))
  })

  app.get('/people/:ref', {
    schema: { ...people, summary: 'Someone by @handle or id, with how I stand with them', params: PersonRefParams, response: { 200: PersonResponse, ...fail } }
  }, async (request) => ok({ person: await users.person(request.user.id, request.params.ref) }))

  app.get('/me/friends', {
    schema: { ...me, summary: 'My friends (mutual), oldest friendship first', response: { 200: FriendProfilesResponse, ...fail } }
  }, async (request) => ok({ friends: await queries.friends(request.user.id) }))

  app.put('/me/friends/:userId', {
    schema: { ...me, summary: 'Befriend (idempotent): asks them, or accepts their request; `relationship` says which', params: FriendIdParams, response: { 200: FriendProfilesResponse, ...fail } }
  }, async (request) => {
    const state = await friends.befriend(request.user.id, request.params.userId)
    return ok({ friends: await queries.friends(request.user.id), relationship: state })
  })

  app.delete('/me/friends/:userId', {
    schema: { ...me, summary: 'Unfriend (idempotent; also withdraws my pending request to them)', params: FriendIdParams, response: relationship }
  }, async (request) => ok({ userId: request.params.userId, relationship: await friends.remove(request.user.id, request.params.userId) }))

  app.get('/me/friend-requests', {
    schema: { ...me, summary: 'Pending friend requests to me and from me', response: { 200: FriendRequestsResponse, ...fail } }
  }, async (request) => ok(await queries.requests(request.user.id)))

  app.post('/me/friend-requests', {
    schema: { ...me, summary: 'Ask someone (by userId or handle) to be friends; accepts theirs if they asked first', body: FriendRequestBody, response: { 201: RelationshipResponse, ...fail } }
  }, async (request, reply) => reply.code(201).send(ok(await friends.request(request.user.id, request.body))))

  app.post('/me/friend-requests/:userId/accept', {
    schema: { ...me, summary: 'Accept their request', params: FriendIdParams, response: relationship }
  }, async (request) => ok({ userId: request.params.userId, relationship: await friends.accept(request.user.id, request.params.userId) }))

  app.post('/me/friend-requests/:userId/decline', {
    schema: { ...me, summary: 'Decline their request', params: FriendIdParams, response: relationship }
  }, async (request) => ok({ userId: request.params.userId, relationship: await friends.decline(request.user.id, request.params.userId) }))

  app.delete('/me/friend-requests/:userId', {
    schema: { ...me, summary: 'Withdraw my request to them', params: FriendIdParams, response: relationship }
  }, async (request) => ok({ userId: request.params.userId, relationship: await friends.cancel(request.user.id, request.params.userId) }))

  app.get('/me/blocks', {
    schema: { ...me, summary: 'People I blocked', response: { 200: BlocksResponse, ...fail } }
  }, async (request) => ok({ blocked: await queries.blocks(request.user.id) }))

  app.put('/me/blocks/:userId', {
    schema: { ...me, summary: 'Block (idempotent): ends friendship and requests; they can no longer find or ask me', params: FriendIdParams, response: relationship }
  }, async (request) => ok({ userId: request.params.userId, relationship: await friends.block(request.user.id, request.params.userId) }))

  app.delete('/me/blocks/:userId', {
    schema: { ...me, summary: 'Unblock (idempotent)', params: FriendIdParams, response: relationship }
  }, async (request) => ok({ userId: request.params.userId, relationship: await friends.unblock(request.user.id, request.params.userId) }))

  app.get('/me/matches', {
    schema: { ...me, summary: 'Films on my list that friends also want, most-shared first, with those friends', querystring: MatchesQuery, response: { 200: PeopleMatchesResponse, ...fail } }
  }, async (request) => ok(await queries.matches(request.user.id, request.query.limit ?? 100)))
}
