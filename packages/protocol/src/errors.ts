import { z } from 'zod'

/**
 * One error item. `code` is stable and prefixed with the service that raised it
 * (e.g. `ROOM_NOT_FOUND`, `RT_STALE_VERSION`); clients switch on it, never on `message`.
 */
export const ErrorItem = z.object({
  code: z.string().min(1),
  message: z.string(),
  /** Dotted path of the offending field, for validation errors. */
  path: z.string().optional(),
  /** A value that would work instead (e.g. a free room name with ROOM_NAME_TAKEN). */
  suggestion: z.string().optional()
})
export type ErrorItem = z.infer<typeof ErrorItem>

/** The envelope the original product API uses for failures: `{ success: false, errors: [...] }`. */
export const ErrorBody = z.object({
  success: z.literal(false),
  errors: z.array(ErrorItem).min(1)
})
export type ErrorBody = z.infer<typeof ErrorBody>

/** Turns zod issues into error items with field paths, so a 400 names every bad field. */
export function issuesToErrors (issues: readonly z.core.$ZodIssue[], code = 'VALIDATION_FAILED'): ErrorItem[] {
  return issues.map((issue) => ({
    code,
    message: issue.message,
    path: issue.path.map(String).join('.') || undefined
  }))
}
