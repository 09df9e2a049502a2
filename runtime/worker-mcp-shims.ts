/**
 * @module The Worker's `@modelcontextprotocol/server/_shims` (wrangler.jsonc `alias`, and the `workers` test
 * project's): the SDK's workerd shim minus its JSON Schema validator (@cfworker/json-schema, ~6 KiB gzip).
 * The SDK validates only two things with it: what a client answers to `elicitInput` and schemas given as
 * raw JSON Schema (`fromJsonSchema`). plane-bridge does neither (tool schemas are zod), so this validator
 * refuses every input, saying why, rather than ever accepting unchecked data.
 */
import type { JsonSchemaType, JsonSchemaValidator } from '@modelcontextprotocol/server'

const NOT_BUNDLED =
  'JSON Schema validation is not in the plane-bridge Worker (runtime/worker-mcp-shims.ts): use zod schemas'

export class DefaultJsonSchemaValidator {
  getValidator<T>(_schema: JsonSchemaType): JsonSchemaValidator<T> {
    return () => ({ valid: false, data: undefined, errorMessage: NOT_BUNDLED })
  }
}

/** As the SDK's own shim: there is no stdio on Workers. */
export const process = {
  get stdin(): never {
    throw new Error('StdioServerTransport is not supported on Workers.')
  },
  get stdout(): never {
    throw new Error('StdioServerTransport is not supported on Workers.')
  },
}
