import { describe, expect, it } from 'vitest'
import { createMemoryStore } from '../store/store.ts'
import { createAgentQuota } from './quota.ts'

describe('agent quota', () => {
  it('should send in its grouped message what an earlier version kept under `notify:held:*` (the stored format)', async () => {
    const store = createMemoryStore({ now: () => 1_000 })
    const quota = createAgentQuota({ store, perPeriod: 0, periodMs: 60_000, now: () => 1_000 })
    // As a running version left them: the message under its dedupe key, listed in the agent's index.
    await store.set('notify:held:msg-1', '<b>ONB-1</b> fini')
    await store.sortedAdd('notify:held:agent:thot', 'msg-1', 500)
    await quota.group({
      agentId: 'thot',
      agentName: 'Thot',
      chatId: '-100',
      dedupeKey: 'msg-2',
      html: 'ONB-2',
    })
    const group = await quota.take('thot', 'Thot', 'en')
    expect(group).toMatchObject({ members: ['msg-1', 'msg-2'], count: 2 })
    expect(group?.html).toContain('<b>ONB-1</b> fini')
    await quota.sent('thot', group?.members ?? [])
    expect(await quota.take('thot', 'Thot', 'en')).toBeNull()
  })
})
