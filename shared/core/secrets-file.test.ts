import { describe, expect, it } from 'vitest'
import { applySecrets, formatSecretsText, parseSecretsText } from './secrets-file.ts'

describe('the secrets file', () => {
  it('should read back what it wrote, settings first and bootstrap’s own lines apart', () => {
    const entries = {
      PLANE_WEBHOOK_SECRET: 'plane_wh_0123',
      BOOTSTRAP_PASSWORD_BRIDGE: 'a-b_c9',
      PLANE_API_KEY: 'plane_api_abcd',
      BOOTSTRAP_NOTE: "it's odd",
    }
    const text = formatSecretsText(entries)
    expect(parseSecretsText(text)).toEqual(entries)
    const lines = text.split('\n').filter((l) => /^[A-Z]/.test(l))
    expect(lines.map((l) => l.split('=')[0])).toEqual([
      'PLANE_API_KEY',
      'PLANE_WEBHOOK_SECRET',
      'BOOTSTRAP_NOTE',
      'BOOTSTRAP_PASSWORD_BRIDGE',
    ])
  })

  it('should skip comments, blank lines and what is no variable, and drop one pair of quotes', () => {
    expect(parseSecretsText('# x\n\nA=1\nlower=2\n=3\nB="two words"\nC=\'x\'\n D = 4 ')).toEqual({
      A: '1',
      B: 'two words',
      C: 'x',
      D: '4',
    })
  })

  it('should fill what the environment leaves unset or empty and replace .env, never the environment', () => {
    // From .env: PLANE_API_KEY empty (the template's), PLANE_WEBHOOK_SECRET an older value; from the environment:
    // PLANE_TOKEN_THOT.
    const env: Record<string, string | undefined> = {
      PLANE_API_KEY: '',
      PLANE_WEBHOOK_SECRET: 'plane_wh_old',
      PLANE_TOKEN_THOT: 'plane_api_from_env',
    }
    const result = applySecrets(
      env,
      {
        PLANE_API_KEY: 'plane_api_new',
        PLANE_WEBHOOK_SECRET: 'plane_wh_new',
        PLANE_TOKEN_THOT: 'plane_api_file',
        PLANE_TOKEN_RA: 'plane_api_ra',
        BOOTSTRAP_PASSWORD_AGENT_RA: 'secret',
      },
      new Set(['PLANE_TOKEN_THOT'])
    )
    expect(env).toEqual({
      PLANE_API_KEY: 'plane_api_new',
      PLANE_WEBHOOK_SECRET: 'plane_wh_new',
      PLANE_TOKEN_THOT: 'plane_api_from_env',
      PLANE_TOKEN_RA: 'plane_api_ra',
    })
    expect(result.replaced).toEqual(['PLANE_WEBHOOK_SECRET'])
  })
})
