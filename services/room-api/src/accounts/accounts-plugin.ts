import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { Config } from '../config.js'
import { FriendsRepository } from '../friends/friends-repository.js'
import { FriendsService } from '../friends/friends-service.js'
import { accountRoutes, type AccountRoutesOptions } from '../routes/account-routes.js'
import { friendsRoutes } from '../routes/friends-routes.js'
import { profileRoutes } from '../routes/profile-routes.js'
import { telegramRoutes } from '../routes/telegram-routes.js'
import { AccountsService } from './accounts-service.js'
import { createPasswords } from './passwords.js'
import { ProfilesService } from './profiles-service.js'
import { SessionStore } from './session-store.js'
import { SignInThrottle } from './sign-in-throttle-store.js'
import { sweepTelegramLogins } from './identities-repository.js'
import { UsersRepository } from './users-repository.js'

export interface AccountsPluginOptions {
  config: Config
  /** Wakes the outbox relay after a commit that wrote events. */
  nudge: () => void
}

/**
 * People: accounts and sessions, Telegram, profiles, friends and matches (issue 14), registered
 * under /api/v1. Builds its services on the app's pool and runs the sweeper of expired auth rows.
 */
async function accounts (api: FastifyInstance, { config, nudge }: AccountsPluginOptions) {
  const pool = api.pg
  const users = new UsersRepository(pool)
  const sessions = new SessionStore(pool, config.REFRESH_TOKEN_TTL_SECONDS)
  const throttle = new SignInThrottle(pool, {
    maxPerAccount: config.SIGN_IN_MAX_FAILURES_PER_ACCOUNT,
    maxPerAddress: config.SIGN_IN_MAX_FAILURES_PER_ADDRESS,
    windowMs: config.SIGN_IN_FAILURE_WINDOW_MS,
    lockMs: config.SIGN_IN_LOCK_MS
  })
  const telegram = config.TELEGRAM_BOT_TOKEN ? { botToken: config.TELEGRAM_BOT_TOKEN, maxAgeSeconds: config.TELEGRAM_AUTH_MAX_AGE_SECONDS } : undefined
  const accountsService = new AccountsService({
    pool,
    users,
    sessions,
    throttle,
    telegram,
    passwords: createPasswords({ memoryKib: config.PASSWORD_HASH_MEMORY_KIB, timeCost: config.PASSWORD_HASH_TIME_COST })
  })
  const window = config.RATE_LIMIT_WINDOW_MS
  const routeOptions: AccountRoutesOptions = {
    enabled: config.ACCOUNTS,
    accounts: accountsService,
    sessions,
    users,
    accessTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    cookies: { secure: config.COOKIE_SECURE, maxAgeSeconds: config.REFRESH_TOKEN_TTL_SECONDS },
    devSignIn: config.DEV_SIGN_IN,
    telegramBotName: config.TELEGRAM_BOT_NAME,
    limits: {
      signIn: { max: config.RATE_LIMIT_SIGN_IN_MAX, timeWindow: window },
      signUp: { max: config.RATE_LIMIT_SIGN_UP_MAX, timeWindow: window }
    }
  }
  await api.register(accountRoutes, routeOptions)
  await api.register(telegramRoutes, routeOptions)
  await api.register(profileRoutes, { users, profiles: new ProfilesService(pool, users, nudge, config.AVATAR_MAX_BYTES), avatarMaxBytes: config.AVATAR_MAX_BYTES })
  const friendsRepository = new FriendsRepository(pool)
  await api.register(friendsRoutes, { users, friends: new FriendsService(pool, users, friendsRepository, nudge), queries: friendsRepository })

  // Expired refresh tokens, finished sign-in locks and stale Telegram replay marks are deleted now and then.
  let sweeping: Promise<unknown> | undefined
  const timer = setInterval(() => {
    if (sweeping) return
    sweeping = Promise.all([sessions.sweep(), throttle.sweep(), sweepTelegramLogins(pool)])
      .catch((err) => api.log.warn({ err }, 'auth sweep failed'))
      .finally(() => { sweeping = undefined })
  }, config.AUTH_SWEEP_MS)
  timer.unref()
  api.addHook('onClose', async () => { clearInterval(timer); await sweeping })
}

/** Encapsulated (its routes and content-type parser stay inside), with what it needs declared. */
export const accountsPlugin = fp(accounts, {
  name: 'room-api-accounts',
  encapsulate: true,
  dependencies: ['postgres', 'room-api-auth', '@fastify/cookie', '@fastify/rate-limit']
})
