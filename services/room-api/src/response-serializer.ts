import fastJson from 'fast-json-stringify'
import type { FastifySerializerCompiler } from 'fastify/types/schema.js'
import { z } from 'zod'

/**
 * Response bodies are written by fast-json-stringify from the JSON Schema of the route's zod
 * response schema (the same schema the OpenAPI document shows), compiled once per route and status.
 * fastify-type-provider-zod's serializer re-validated every body with zod and then ran
 * JSON.stringify: about a tenth of room-api's CPU per request in the benchmark. The bodies are
 * built by our own code from typed values, and the tests check them against the zod schemas.
 * Properties a schema does not name are left out, as before.
 */
export const responseSerializerCompiler: FastifySerializerCompiler<z.ZodType> = ({ schema }) => {
  const jsonSchema = z.toJSONSchema(schema, { target: 'draft-7', io: 'output', unrepresentable: 'any' })
  return fastJson(jsonSchema as Parameters<typeof fastJson>[0])
}
