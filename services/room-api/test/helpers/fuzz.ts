// What the REST fuzz tests share: the runs, any JSON, mutations of a valid body, and the check that every
// answer is a success or the error envelope with stable codes (never a 5xx).
import fc from 'fast-check'
import type { FastifyInstance } from 'fastify'
import type { z } from 'zod'

export const fuzzParams = (defaultRuns: number) => ({
  numRuns: Number(process.env.FUZZ_RUNS ?? defaultRuns), endOnFailure: true, ...(process.env.FUZZ_SEED ? { seed: Number(process.env.FUZZ_SEED) } : {})
})

export const anyJson = fc.jsonValue({ maxDepth: 3 })

/** A valid body with one field removed, retyped, or an extra one added. */
export const mutate = <T extends Record<string, unknown>>(valid: fc.Arbitrary<T>) => fc.tuple(valid, fc.string({ maxLength: 12 }), anyJson, fc.nat())
  .map(([body, key, value, pick]) => {
    const copy: Record<string, unknown> = { ...body }
    const keys = Object.keys(copy)
    if (pick % 3 === 0 && keys.length > 0) delete copy[keys[pick % keys.length]!]
    else if (pick % 3 === 1 && keys.length > 0) copy[keys[pick % keys.length]!] = value
    else copy[key] = value
    return copy
  })

export function checkEnvelope (res: { statusCode: number, body: string, headers?: Record<string, unknown> }, what: string) {
  if (res.statusCode >= 500) throw new Error(`${what} → ${res.statusCode} ${res.body.slice(0, 300)}`)
  if (res.statusCode < 400) return
  // Fastify's router answers a path parameter over maxParamLength (100) with a bare 414, before any handler.
  if (res.statusCode === 414) return
  let body: { success?: unknown, errors?: Array<{ code?: unknown }> }
  try { body = JSON.parse(res.body) } catch { throw new Error(`${what} → ${res.statusCode} with a non-JSON body: ${res.body.slice(0, 200)}`) }
  if (body.success !== false || !Array.isArray(body.errors) || body.errors.length === 0 ||
    !body.errors.every((e) => typeof e.code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(e.code))) {
    throw new Error(`${what} → ${res.statusCode} outside the error envelope: ${res.body.slice(0, 300)}`)
  }
}

type Case = readonly [method: 'POST' | 'PUT' | 'PATCH', url: string, bodies: fc.Arbitrary<unknown>, schema: z.ZodType]

/**
 * Sends every generated body the schema refuses (the schema stays the oracle: it sees exactly what
 * the server receives, after JSON drops undefined and "__proto__") and checks each is a 400 with a
 * validation code; JSON holding "__proto__" or "constructor.prototype" is refused by Fastify's parser
 * before validation. Returns how many were refused.
 */
export async function checkRefusedBodies (app: FastifyInstance, cases: readonly Case[], headers: Record<string, string>, params: object): Promise<number> {
  let refused = 0
  for (const [method, url, arb, schema] of cases) {
    await fc.assert(fc.asyncProperty(arb, async (body) => {
      const payload = JSON.stringify(body) ?? 'null'
      if (schema.safeParse(JSON.parse(payload)).success) return true
      refused++
      const res = await app.inject({ method, url, payload, headers: { ...headers, 'content-type': 'application/json' } })
      checkEnvelope(res, `${method} ${url} ${payload.slice(0, 200)}`)
      const allowed = ['VALIDATION_FAILED', 'FST_ERR_CTP_EMPTY_JSON_BODY', 'FST_ERR_CTP_INVALID_JSON_BODY']
      const codes = (res.json().errors as Array<{ code: string }>).map((e) => e.code)
      if (res.statusCode !== 400 || !codes.every((c) => allowed.includes(c))) throw new Error(`${method} ${url} ${payload.slice(0, 200)} → ${res.statusCode} ${res.body}`)
      return true
    }), params)
  }
  return refused
}
