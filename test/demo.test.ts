/** `npm run demo` (issue 30): the scenario runs in process and prints each step, in order; a missing step fails it. */
import { describe, expect, it } from 'vitest'
import { DemoStepError, htmlToText, runDemo, waitFor } from '../scripts/demo.ts'

describe('runDemo', () => {
  it('should print the wake, the tool calls, the completion told and the button answered, in order', async () => {
    const lines: string[] = []
    await runDemo({ write: (line) => lines.push(line) })
    // Each step after the one before it.
    let from = 0
    const at = (pattern: RegExp) => {
      const index = lines.findIndex((line, i) => i >= from && pattern.test(line))
      if (index < 0) throw new Error(`no line matches ${pattern}:\n${lines.join('\n')}`)
      from = index + 1
      return index
    }
    const steps = [
      /^\[human\] in Plane's web UI, as ada: creates ONB-1 « Configurer Redis »/,
      /^\[Plane → bridge\] webhook issue created: answered 200$/,
      /^\[bridge → OpenClaw\] wake imhotep:$/,
      /^ {4}Nouvelle tâche Plane pour toi : ONB-1 « Configurer Redis »/,
      /^\[imhotep → bridge\] list_my_tasks$/,
      /^\[bridge → imhotep\] 1 open task\(s\): ONB-1 « Configurer Redis » \(todo, priority high\)$/,
      /^\[imhotep → bridge\] update_task_status .*"status":"in_progress"/,
      /^\[Plane\] comment by imhotep: 🤖 Imhotep a démarré cette tâche$/,
      // The task's live message, sent at its start, edited as the agent reports, ended with it.
      /^\[bridge → Telegram\] sends message #\d+:$/,
      /^ {4}⏳ \[Onboarding\] ONB-1 « Configurer Redis » — Imhotep$/,
      /^ {4}🔨 en cours$/,
      /^\[imhotep → bridge\] add_comment .*"kind":"progress"/,
      /^\[bridge → imhotep\] comment progress written \(human notification: live\)$/,
      /^\[bridge → Telegram\] edits message #\d+:$/,
      /^ {4}▰▰▰▰▰▰▱▱▱▱ 60 %$/,
      /^ {4}Étape : Image Docker construite$/,
      /^\[imhotep → bridge\] update_task_status .*"status":"done".*"confidence":0\.6/,
      /^\[bridge → imhotep\] status done \(was in_progress\), time spent 26 min$/,
      /^\[bridge → Telegram\] edits message #\d+:$/,
      /^ {4}⏱ 26 min · ✅ terminée$/,
      /^\[bridge → Telegram\] sends message #\d+:$/,
      // One completion, one message: the review's question and buttons on it (issue 36).
      /Imhotep a terminé ONB-1 « Configurer Redis »/,
      /🔍 Revue demandée : confiance sous 0,7/,
      /^ {4}buttons: \[✅ Valider\] \[↩️ Renvoyer\]$/,
      /^\[human\] presses "✅ Valider" on message #\d+$/,
      /^\[bridge → Telegram\] answers the press: "⏳ En cours…"$/,
      /^\[bridge → Telegram\] edits message #\d+:$/,
      /^ {4}✅ Validé par Ada à \d\d:\d\d$/,
      /^\[Plane\] comment by plane-bridge: ✅ Validé par Ada depuis Telegram\.$/,
      /^\[Plane\] ONB-1 is now in Done$/,
      /^\[demo\] done in \d+\.\d s$/,
    ]
    // In order: each found after the one before it, or `at` fails naming it.
    for (const step of steps) at(step)
    // One wake for the assignment, none after the validation; one card with buttons, edited once.
    expect(lines.filter((line) => line.startsWith('[bridge → OpenClaw]'))).toHaveLength(1)
    expect(lines.filter((line) => line.includes('buttons:'))).toHaveLength(1)
    // Every field printed is one the API answers: none reads as undefined.
    expect(lines.filter((line) => line.includes('undefined'))).toEqual([])
    // Plain text for the terminal: no tag of Telegram's or Plane's HTML is printed.
    expect(lines.filter((line) => /<\/?[a-z][^>]*>/i.test(line))).toEqual([])
  }, 30_000)
})

describe('waitFor', () => {
  it('should fail naming the step that did not happen', async () => {
    const started = Date.now()
    const failed = await waitFor('the agent is woken', () => false, 50).catch((e: unknown) => e)
    expect(failed).toBeInstanceOf(DemoStepError)
    expect(String(failed)).toBe('DemoStepError: timed out after 50 ms: the agent is woken')
    expect(Date.now() - started).toBeLessThan(1000)
  })

  it('should give the first value the probe finds', async () => {
    let calls = 0
    expect(await waitFor('a value', () => ++calls >= 3 && calls, 1000)).toBe(3)
  })
})

describe('htmlToText', () => {
  it('should print paragraphs and breaks as lines, without tags, with entities decoded', () => {
    expect(
      htmlToText(
        '<p>✅ Terminée : <strong>PING</strong> &amp; OK</p><p>Confiance : 0,6<br/>fin &lt;3</p>'
      )
    ).toBe('✅ Terminée : PING & OK\nConfiance : 0,6\nfin <3')
  })
})
