import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { nodeSecretsFile } from './node-secrets-file.ts'

describe('BOOTSTRAP_SECRETS_FILE on Node', () => {
  it('should read nothing before the first write, then write it whole, mode 0600, through a file renamed over it', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'secrets-')), 'secrets.env')
    const file = nodeSecretsFile(path)
    expect(await file.read()).toEqual({})
    // A crash left a world-readable temporary file: the next write still ends 0600.
    writeFileSync(`${path}.next`, 'X=1', { mode: 0o644 })
    await file.write({ PLANE_API_KEY: 'plane_api_1' })
    await file.write({ PLANE_API_KEY: 'plane_api_1', PLANE_WEBHOOK_SECRET: 'plane_wh_2' })
    expect(statSync(path).mode & 0o777).toBe(0o600)
    expect(await file.read()).toEqual({
      PLANE_API_KEY: 'plane_api_1',
      PLANE_WEBHOOK_SECRET: 'plane_wh_2',
    })
    expect(readFileSync(path, 'utf8')).toContain('PLANE_WEBHOOK_SECRET=plane_wh_2\n')
  })
})
