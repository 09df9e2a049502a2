import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  CONFIG_KEYS,
  ConfigError,
  loadConfig,
  missingSettings,
  SETTINGS,
  secretValues,
} from '../../shared/core/config.ts'

function problemsOf(env: Record<string, string>) {
  try {
    loadConfig(env)
  } catch (error) {
    if (error instanceof ConfigError) return error
  }
  throw new Error('expected a ConfigError')
}

describe('config', () => {
  it('should start with no settings at all, on defaults', () => {
    const config = loadConfig({})
    expect(config).toMatchObject({
      PORT: 8787,
      TELEGRAM_API_BASE: 'https://api.telegram.org',
      DATA_DIR: './data',
      STORE_DRIVER: 'auto',
      REDIS_KEY_PREFIX: 'plane',
      TIMEZONE: 'UTC',
      LOCALE: 'fr',
      LOG_LEVEL: 'info',
      BODY_LIMIT_BYTES: 1048576,
    })
    expect(config.PLANE_API_KEY).toBeUndefined()
  })

  it('should report every bad variable at once, by name', () => {
    const error = problemsOf({
      PORT: 'abc',
      REDIS_URL: 'nonsense',
      LOCALE: 'de',
      TIMEZONE: 'Mars/Olympus',
      PLANE_BASE_URL: 'ftp://x',
    })
    expect(error.problems.map((p) => p.key).sort()).toEqual([
      'LOCALE',
      'PLANE_BASE_URL',
      'PORT',
      'REDIS_URL',
      'TIMEZONE',
    ])
    expect(error.message).toContain('PORT: must be an integer between 1 and 65535 (got "abc")')
    expect(error.message).toContain('REDIS_URL: must be a redis:// or rediss:// URL')
  })

  it('should never echo a secret value in an error', () => {
    const error = problemsOf({
      TELEGRAM_BOT_TOKEN: 'oops-my-very-secret-value',
      REDIS_URL: 'http://user:hunter22@x',
    })
    expect(error.message).not.toContain('oops-my-very-secret-value')
    expect(error.message).not.toContain('hunter22')
    expect(error.message).toContain('TELEGRAM_BOT_TOKEN')
    expect(error.message).toContain('value hidden')
  })

  it('should treat empty values as unset and normalise URLs and lists', () => {
    const config = loadConfig({
      PORT: '',
      PLANE_BASE_URL: 'https://work.example.com/',
      TELEGRAM_ALLOWED_CHAT_IDS: ' -1001234567890, 42 ,',
    })
    expect(config.PORT).toBe(8787)
    expect(config.PLANE_BASE_URL).toBe('https://work.example.com')
    // Pasted with Plane's API prefix: requests would otherwise go to /api/v1/api/v1/….
    for (const pasted of [
      'https://work.example.com/api/v1',
      'https://work.example.com/api/v1/',
      'https://work.example.com/api',
    ])
      expect(loadConfig({ PLANE_BASE_URL: pasted }).PLANE_BASE_URL).toBe('https://work.example.com')
    expect(loadConfig({ PLANE_BASE_URL: 'https://example.com/plane' }).PLANE_BASE_URL).toBe(
      'https://example.com/plane'
    )
    expect(config.TELEGRAM_ALLOWED_CHAT_IDS).toEqual(['-1001234567890', '42'])
    expect(problemsOf({ TELEGRAM_ALLOWED_CHAT_IDS: '42,abc' }).problems[0]?.key).toBe(
      'TELEGRAM_ALLOWED_CHAT_IDS'
    )
  })

  it('should name the settings a function lacks', () => {
    const config = loadConfig({ PLANE_API_KEY: 'plane_api_abc123' })
    expect(
      missingSettings(config, ['PLANE_API_KEY', 'PLANE_BASE_URL', 'PLANE_WORKSPACE_SLUG'])
    ).toEqual(['PLANE_BASE_URL', 'PLANE_WORKSPACE_SLUG'])
  })

  it('should list secret values for redaction, including a Redis password', () => {
    const config = loadConfig({
      PLANE_API_KEY: 'plane_api_abc123',
      REDIS_URL: 'redis://:p%40ssw0rd@redis:6379/2',
      PORT: '9000',
    })
    expect(secretValues(config)).toEqual([
      'plane_api_abc123',
      'redis://:p%40ssw0rd@redis:6379/2',
      'p@ssw0rd',
    ])
  })
})

describe('docs/settings.md settings table', () => {
  const page = readFileSync(new URL('../../docs/settings.md', import.meta.url), 'utf8')
  const section = page.split(/^# Settings$/m)[1]?.split(/^#{1,2} /m)[0] ?? ''
  // Cells are read whatever their padding (formatters align tables).
  const rows = section
    .split('\n')
    .map((line) => line.split('|').map((cell) => cell.trim()))
    .filter((cells) => /^`[A-Z_]+`$/.test(cells[1] ?? ''))
    .map((cells) => ({
      key: (cells[1] as string).slice(1, -1),
      default: cells[2] ?? '',
      meaning: cells.slice(3, -1).join('|'),
    }))

  it('should list exactly the settings of the schema, in order', () => {
    expect(rows.map((r) => r.key)).toEqual(CONFIG_KEYS)
  })

  it('should give each meaning as the schema says it, secrets marked 🔒 (defined once, issue 36)', () => {
    for (const row of rows) {
      const spec = SETTINGS[row.key as keyof typeof SETTINGS] as { doc: string; secret?: boolean }
      expect(`${row.key}: ${row.meaning}`).toBe(
        `${row.key}: ${spec.secret ? '🔒 ' : ''}${spec.doc}`
      )
    }
  })

  it('should show each default as the schema has it', () => {
    for (const row of rows) {
      const spec = SETTINGS[row.key as keyof typeof SETTINGS] as { defaultText?: string }
      expect(`${row.key}: ${row.default}`).toBe(`${row.key}: ${spec.defaultText ?? '—'}`)
    }
  })
})
