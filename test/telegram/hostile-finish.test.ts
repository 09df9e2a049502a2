/**
 * A project's finish message with hostile names (the project's, the agents', the deliverables', the reviews'
 * references) and extreme counts is accepted by the strict Telegram simulator, HTML and plain fallback alike, and the
 * Concierge's wake is well-formed text.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { finishWake, renderProjectFinish } from '../../shared/projects/finish.ts'
import { toWellFormed } from '../../shared/text/cap.ts'
import { CHAT_ID, createHostileChat } from './hostile-chat.ts'
import { hostileName, PROPERTY_TIMEOUT_MS, runs } from './hostile-text.ts'
import { locale } from './hostile-world.ts'

describe('a project’s finish with hostile content', () => {
  it(
    'should have its message accepted and its wake well-formed, whatever the names and counts',
    async () => {
      const chat = createHostileChat()
      await fc.assert(
        fc.asyncProperty(
          fc.record({
            locale,
            name: hostileName,
            identifier: fc.option(fc.stringMatching(/^[A-Z0-9]{1,12}$/), { nil: null }),
            agents: fc.array(fc.record({ name: hostileName, done: fc.nat(500) }), {
              maxLength: 30,
            }),
            deliverables: fc.array(
              fc.record({
                name: hostileName,
                url: fc.option(fc.constant('https://plane.example/api/assets/x?a=1&b=<2>'), {
                  nil: null,
                }),
              }),
              { maxLength: 40 }
            ),
            reviews: fc.array(hostileName, { maxLength: 30 }),
            done: fc.nat(5000),
            cancelled: fc.nat(5000),
            seconds: fc.nat(10_000_000),
            cost: fc.double({ min: 0, max: 1e6, noNaN: true }),
          }),
          async (w) => {
            const tally = {
              project: { id: 'p', name: w.name, identifier: w.identifier },
              url: 'https://plane.example/ws/projects/p/issues/',
              done: w.done,
              cancelled: w.cancelled,
              lastChange: '2026-11-27T10:00:00Z',
              byAgent: w.agents,
              timeSpentSeconds: w.seconds,
              costUsd: w.cost,
              estimateUsd: w.cost / 2,
              deliverables: w.deliverables,
              reviews: w.reviews,
              month: null,
            }
            const html = renderProjectFinish(tally, w.locale)
            await chat.send('project finish', { chat_id: CHAT_ID, text: html, parse_mode: 'HTML' })
            const wake = finishWake(tally, w.locale)
            expect(wake).toBe(toWellFormed(wake))
            expect(wake).toContain(w.identifier ?? w.name)
          }
        ),
        runs(60)
      )
    },
    PROPERTY_TIMEOUT_MS
  )
})
