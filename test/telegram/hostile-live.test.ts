/**
 * The live messages (one task's, the board of every task under way) and the "not started" notice, with hostile names
 * (agents' within the registry's bound), steps and figures, are accepted by the strict Telegram simulator as HTML and
 * as the plain-text fallback.
 */
import fc from 'fast-check'
import { describe, it } from 'vitest'
import { oneLine, type TaskProgress } from '../../shared/live/progress.ts'
import { renderLiveBoard, renderLiveTask } from '../../shared/live/render.ts'
import { renderTaskName } from '../../shared/notify/messages.ts'
import { runPhrasesFor } from '../../shared/runs/phrases.ts'
import { escapeHtml } from '../../shared/telegram/html.ts'
import { CHAT_ID, createHostileChat } from './hostile-chat.ts'
import { hostileComment, PROPERTY_TIMEOUT_MS, runs } from './hostile-text.ts'
import { agentName, locale, project, task, taskUrl } from './hostile-world.ts'

const states = fc.constantFrom('active', 'awaiting', 'done', 'blocked', 'cancelled' as const)

describe('live messages with hostile content', () => {
  it(
    'should have every live message, board and not-started notice accepted, whatever the names and reports',
    async () => {
      const chat = createHostileChat()
      await fc.assert(
        fc.asyncProperty(
          fc.record({
            locale,
            project: project(),
            tasks: fc.array(
              fc.record({
                task: task(),
                url: taskUrl,
                agent: fc.option(agentName, { nil: null }),
                step: fc.option(hostileComment, { nil: null }),
                percent: fc.option(fc.integer({ min: 0, max: 100 }), { nil: null }),
                cost: fc.option(fc.double({ min: 0, max: 1e7, noNaN: true }), { nil: null }),
                seconds: fc.nat(10_000_000),
                state: states,
              }),
              { minLength: 1, maxLength: 25 }
            ),
          }),
          async (w) => {
            const progress: TaskProgress[] = w.tasks.map((t, i) => ({
              v: 1,
              taskId: `t${i}`,
              projectId: w.project.id,
              ref: w.project.identifier ? `${w.project.identifier}-${i + 1}` : null,
              taskHtml: renderTaskName(t.task, {
                locale: w.locale,
                project: w.project,
                taskUrl: t.url,
              }),
              agentName: t.agent,
              percent: t.percent,
              step: t.step === null ? null : oneLine(t.step),
              cost: t.cost,
              state: t.state,
              since: 1_000 + i,
              at: 2_000 + i,
              live: true,
            }))
            const figures = new Map(
              w.tasks.map((t, i) => [`t${i}`, { timeSpentSeconds: t.seconds, cost: t.cost }])
            )
            const ctx = { locale: w.locale, figures }
            for (const p of progress)
              await chat.send('live task', {
                chat_id: CHAT_ID,
                text: renderLiveTask(p, ctx),
                parse_mode: 'HTML',
              })
            await chat.send('live board', {
              chat_id: CHAT_ID,
              text: renderLiveBoard(progress, ctx),
              parse_mode: 'HTML',
            })
            const first = progress[0] as TaskProgress
            await chat.send('not started', {
              chat_id: CHAT_ID,
              text: runPhrasesFor(w.locale).unstartedHuman(
                `<b>${escapeHtml(first.agentName ?? 'x')}</b>`,
                first.taskHtml,
                30
              ),
              parse_mode: 'HTML',
            })
          }
        ),
        runs(40)
      )
    },
    PROPERTY_TIMEOUT_MS
  )
})
