/** The Worker's MCP SDK shim (wrangler.jsonc `alias`): the one the SDK gets on workerd, and it refuses unchecked data. */
import { McpServer } from '@modelcontextprotocol/server'
import { DefaultJsonSchemaValidator as SdkDefault } from '@modelcontextprotocol/server/_shims'
import { describe, expect, it } from 'vitest'
import { DefaultJsonSchemaValidator } from '../../runtime/worker-mcp-shims.ts'

describe('worker MCP shims', () => {
  it('should be what the SDK imports as its _shims on workerd, inside the SDK too', () => {
    expect(SdkDefault).toBe(DefaultJsonSchemaValidator)
    const { server } = new McpServer({ name: 'shim-test', version: '1.0.0' })
    // The SDK's own default, built where it imports _shims (its Server constructor).
    const validator = (server as unknown as { _jsonSchemaValidator: unknown })._jsonSchemaValidator
    expect(validator).toBeInstanceOf(DefaultJsonSchemaValidator)
  })

  it('should refuse every input rather than pass it unchecked', () => {
    const validate = new DefaultJsonSchemaValidator().getValidator({ type: 'object' })
    const result = validate({})
    expect(result.valid).toBe(false)
    expect(result.errorMessage).toContain('not in the plane-bridge Worker')
  })
})
