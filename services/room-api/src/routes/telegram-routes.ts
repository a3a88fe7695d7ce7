import { ErrorBody, MeResponse, SessionResponse, TelegramAuthBody } from '@watch-together/protocol'
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod'
import { type AccountRoutesOptions, perAddress, sessionReply } from './account-routes.js'

const fail = { '4xx': ErrorBody, '5xx': ErrorBody }

/**
 * Sign in with Telegram (Login Widget). The page posts the widget's user object as JSON; the server
 * verifies it (accounts/telegram.ts). Off (ROOM_TELEGRAM_DISABLED) unless TELEGRAM_BOT_TOKEN is set.
 */
export const telegramRoutes: FastifyPluginAsyncZod<AccountRoutesOptions> = async (app, opts) => {
  const tags = ['auth']

  app.post('/auth/telegram', {
    config: perAddress('telegram-sign-in', opts.limits.signUp),
    schema: {
      tags,
      summary: 'Sign in with a Telegram Login Widget payload (an account is made on first use; 201 then)',
      body: TelegramAuthBody,
      response: { 200: SessionResponse, 201: SessionResponse, ...fail }
    }
  }, async (request, reply) => {
    const opened = await opts.accounts.telegramSignIn(request.body)
    return reply.code(opened.created ? 201 : 200).send(await sessionReply(app, reply, opened, opts))
  })

  app.post('/auth/telegram/link', {
    onRequest: app.authenticate,
    schema: {
      tags,
      security: [{ bearer: [] }],
      summary: 'Link a Telegram account to mine, to sign in with it later',
      body: TelegramAuthBody,
      response: { 200: MeResponse, ...fail }
    }
  }, async (request) => {
    await opts.users.ensure(request.user)
    await opts.accounts.telegramLink(request.user.id, request.body)
    return { success: true as const, errors: [], user: await opts.users.me(app.pg, request.user.id) }
  })
}
