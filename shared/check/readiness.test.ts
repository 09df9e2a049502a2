import { describe, expect, it } from 'vitest'
import { loadConfig } from '../core/config.ts'
import { settingsFingerprint } from '../core/settings-fingerprint.ts'
import { judgeReadiness } from './readiness.ts'

const config = loadConfig({
  TELEGRAM_BOT_TOKEN: '123456:abcdefghijklmnopqrstuvwxyzABCDEFGHI',
  TELEGRAM_CHAT_ID: '-1001',
})
const own = settingsFingerprint(config)
const at = '2026-06-01T12:00:00.000Z'

describe('judgeReadiness (issue 45: /ready is this server’s live state)', () => {
  it('should be degraded when a bot token is set without TELEGRAM_CHAT_ID, as check says', () => {
    const noChat = loadConfig({ TELEGRAM_BOT_TOKEN: '123456:abcdefghijklmnopqrstuvwxyzABCDEFGHI' })
    const judged = judgeReadiness({
      config: noChat,
      own: settingsFingerprint(noChat),
      integrations: {},
      jobs: {},
      dead: 0,
    })
    expect(judged.reasons).toEqual([
      expect.stringMatching(/^telegram chat: TELEGRAM_CHAT_ID unset: nothing reaches the human/),
    ])
    expect(judgeReadiness({ config, own, integrations: {}, jobs: {}, dead: 0 }).reasons).toEqual([])
  })

  it('should count a contact made with this server’s settings, and show one made with others without counting it', () => {
    const other = settingsFingerprint(
      loadConfig({
        TELEGRAM_BOT_TOKEN: '123456:abcdefghijklmnopqrstuvwxyzABCDEFGHI',
        TELEGRAM_CHAT_ID: '-1002',
        LOCALE: 'en',
      })
    )
    const judged = judgeReadiness({
      config,
      own,
      integrations: {
        plane: { ok: false, at, detail: 'PLANE_API_KEY refused', settings: other },
        telegram: { ok: false, at, detail: 'TELEGRAM_BOT_TOKEN refused', settings: own },
        openclaw: { ok: false, at, detail: 'no answer' },
      },
      jobs: {},
      dead: 2,
    })
    expect(judged.reasons).toEqual([
      'telegram: TELEGRAM_BOT_TOKEN refused',
      'openclaw: no answer',
      '2 dead letters in the outbox',
    ])
    expect(judged.integrations.plane).toEqual({
      ok: false,
      at,
      detail: 'PLANE_API_KEY refused',
      ranWith: "other settings than this server's (LOCALE, TELEGRAM_CHAT_ID differ)",
    })
    expect(judged.integrations.telegram?.ranWith).toBe("this server's settings")
    expect(JSON.stringify(judged)).not.toContain('"settings"')
  })
})
