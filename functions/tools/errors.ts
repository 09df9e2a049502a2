/** @module A tool call's failures as the agent hears them: bad input field by field, Plane's failures said plainly. */
import type { z } from 'zod'
import { PlaneApiError, PlaneUnsupportedError } from '../../shared/plane/errors.ts'
import { ToolError } from '../../shared/tasks/errors.ts'
import { capText } from '../../shared/text/cap.ts'

/** Every bad field named, with zod's message: `status: Invalid option: expected one of …`. */
export function invalidInput(error: z.ZodError): ToolError {
  const fields = error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.join('.') : '(input)',
    message: issue.message,
  }))
  const text = fields.map((f) => `${f.field}: ${f.message}`).join('; ')
  return new ToolError('invalid_input', `Invalid input — ${text}.`, { fields })
}

/**
 * Plane's failures as the agent should see them: which call failed and what to do. Never the key, never
 * a stack; Plane's own words only when they are about the input (validation).
 */
export function toToolError(error: unknown): ToolError | null {
  if (error instanceof ToolError) return error
  if (error instanceof PlaneUnsupportedError)
    return new ToolError('plane_error', `This Plane instance cannot do that: ${error.message}.`)
  if (!(error instanceof PlaneApiError)) return null
  const what = `Plane ${error.method} ${error.path}`
  switch (error.kind) {
    case 'not_found':
      return new ToolError('not_found', `Plane has no such object (${what} → 404).`)
    case 'auth':
      return new ToolError(
        'plane_error',
        `Plane refused the API key used for this agent (${what} → ${error.status}). The operator must fix the key (PLANE_API_KEY or the agent's planeTokenEnv).`
      )
    case 'forbidden':
      return new ToolError(
        'plane_error',
        `Plane refused this write (${what} → 403): the agent's Plane user lacks the role or membership. The operator can run \`npm run job -- provision\`.`
      )
    case 'validation':
    case 'conflict':
    case 'payload_too_large':
      return new ToolError(
        'plane_error',
        `Plane rejected the request (${what} → ${error.status}): ${_planeDetail(error.body)}`,
        { plane_status: error.status }
      )
    case 'rate_limited':
      return new ToolError(
        'plane_unavailable',
        `Plane is rate limiting (${what} → 429). Try again in ${Math.ceil((error.retryAfterMs ?? 60_000) / 1000)} s.`,
        { retry_after_seconds: Math.ceil((error.retryAfterMs ?? 60_000) / 1000) }
      )
    default:
      return new ToolError(
        'plane_unavailable',
        `Plane did not answer properly (${what}: ${error.reason === 'http' ? `HTTP ${error.status}` : error.reason}). Nothing was reported as done; try again in a minute.`,
        { retry_after_seconds: 60 }
      )
  }
}

// --- Internal helpers ---

function _planeDetail(body: PlaneApiError['body']): string {
  if (body === null) return 'no details.'
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  return capText(text, 401)
}
