import closeWithGrace from 'close-with-grace'
import type { FastifyInstance } from 'fastify'
import { ConfigError } from './config.js'

/** The settings runServer needs; every service's config has them (baseConfigShape + PORT). */
export interface ListenConfig {
  HOST: string
  PORT: number
  SHUTDOWN_TIMEOUT_MS: number
}

/**
 * The thin server entry every service uses: parse config once, build, listen, and on
 * SIGTERM/SIGINT close gracefully (fastify's onClose hooks finish in-flight work and
 * close every client, in reverse order of registration). A bad config exits with 78.
 */
export async function runServer<C extends ListenConfig> (
  readConfig: (env: Record<string, string | undefined>) => C,
  buildApp: (config: C) => Promise<FastifyInstance>
): Promise<FastifyInstance> {
  let config: C
  try {
    config = readConfig(process.env)
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`)
      process.exit(78) // EX_CONFIG
    }
    throw err
  }

  const app = await buildApp(config)
  closeWithGrace({ delay: config.SHUTDOWN_TIMEOUT_MS }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after an error')
    else app.log.info({ signal }, 'shutting down')
    await app.close()
  })

  await app.listen({ host: config.HOST, port: config.PORT })
  return app
}
