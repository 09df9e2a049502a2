/**
 * The e2e stack on real time plus jumps (the bridge's clock and Plane's throttle on the same one: a jump frees the
 * keys' windows as it moves deadlines), with each agent's tool calls that must succeed, and the chat as the human
 * reads it. One per test; `stop` it after.
 */
import { expect } from 'vitest'
import { callHttp } from '../../sim/e2e/bridge-tools.ts'
import { CHAT_ID, startE2E } from '../../sim/e2e/harness.ts'

export type ClockedE2E = Awaited<ReturnType<typeof startClocked>>
type Agent = 'imhotep' | 'thot' | 'ra'

export async function startClocked() {
  let offset = 0
  const t = await startE2E({
    concierge: true,
    now: () => Date.now() + offset,
    plane: { now: () => Date.now() + offset },
  })
  /** An agent's tool call, which must answer 200. */
  const as = (agent: Agent) => async (tool: string, input: unknown) => {
    const result = await callHttp(t.app, tool, t.bridgeTokens[agent] as string, input)
    if (result.status !== 200) throw new Error(`${tool}: ${JSON.stringify(result.body)}`)
    return result.body as Record<string, unknown> & { id: string; ref: string }
  }
  return {
    t,
    as,
    /** Move the bridge's and Plane's clocks on. */
    advance(ms: number) {
      offset += ms
    },
    /** Move the clocks on, then let deadlines, windows and the outbox run. */
    async later(ms: number) {
      offset += ms
      await t.settle()
    },
    /** The texts the chat received. */
    sent: () =>
      t.telegram
        .callsOf('sendMessage')
        .filter((c) => c.status === 200)
        .map((c) => String(c.params.text)),
    /** What the bridge answers a command in the chat. */
    async ask(text: string) {
      const before = t.telegram.callsOf('sendMessage').length
      expect(
        await t.postTelegram(t.telegram.makeMessageUpdate({ text, chatId: Number(CHAT_ID) }))
      ).toBe(200)
      await t.settle()
      return t.telegram
        .callsOf('sendMessage')
        .slice(before)
        .map((c) => String(c.params.text))
        .join('\n')
    },
  }
}
