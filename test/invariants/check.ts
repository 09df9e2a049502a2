/**
 * The invariants at quiescence (issue 28): what the human heard, which agents were woken and released, and
 * whether the bridge's answers agree with Plane, against the model's expectations. Returns the violations.
 */

import {
  OPEN_RUN_STATES,
  OPEN_RUNS_SET,
  runRecordKey,
  SEEN_RUNS_SET,
} from '../../shared/runs/records.ts'
import { parseRunCard } from '../../shared/runs/run-card.ts'
import { DUE_SET } from '../../shared/runs/tracker.ts'
import type { RunRecord } from '../../shared/runs/types.ts'
import { callHttp } from '../../sim/e2e/bridge-tools.ts'
import { CHAT_ID } from '../../sim/e2e/harness.ts'
import { AGENT_IDS, type AgentId, OPEN_GROUPS as OPEN, type Truth } from './model.ts'
import type { Scenario } from './scenario.ts'
import type { World } from './world.ts'

type Kind =
  | 'completion'
  | 'blocked'
  | 'review'
  | 'approval'
  | 'prompt'
  | 'deleted'
  | 'alert'
  | 'finish'
  | 'other'

/** What a message tells; a completion that asks for a review tells both, in one message (issue 36). */
function classify(text: string): Kind[] {
  // An operational alert, not a task's news: lost deliveries may well look like a switched-off webhook.
  if (text.includes('désactivé le webhook')) return ['alert']
  if (/supprimée dans Plane alors que/.test(text)) return ['deleted']
  if (text.startsWith('🏁 <b>Projet')) return ['finish']
  if (/a terminé |est terminée/.test(text))
    return text.includes('Revue demandée') ? ['completion', 'review'] : ['completion']
  if (/est bloquée \(état|signale un blocage|Blocage signalé|est marquée bloquée/.test(text))
    return ['blocked']
  if (text.includes('Revue demandée')) return ['review']
  if (text.includes('Approbation demandée')) return ['approval']
  if (text.startsWith('↩️ Pourquoi renvoyer')) return ['prompt']
  return ['other']
}

/** The last line of a live message: its state (shared/live/phrases.ts). */
const LIVE_STATES = [
  '🔨 en cours',
  '❓ attend votre réponse',
  '✅ terminée',
  '⛔ bloquée',
  '🚫 annulée',
] as const
const LIVE_UNDER_WAY: ReadonlySet<string> = new Set(['🔨 en cours', '❓ attend votre réponse'])

const STATUS_OF: Record<Truth['group'], string> = {
  backlog: 'backlog',
  unstarted: 'todo',
  started: 'in_progress',
  completed: 'done',
  cancelled: 'cancelled',
  unknown: 'backlog',
}

export async function checkInvariants(world: World, scenario: Scenario): Promise<string[]> {
  const t = world.t
  const { model, truth } = scenario
  const violations: string[] = []
  const bySeq = new Map([...model.tasks.values()].map((m) => [String(m.seq), m]))

  // 1. The human: each transition the policy names told exactly once, nothing else.
  const heard = new Map<string, number>()
  // An agent's grouped message (issue 39) carries several messages, each in a paragraph of its own: each is told.
  // A live message (sent without sound, then edited) tells nothing of its own: it has its invariant below (1b).
  const texts = t.telegram
    .callsOf('sendMessage')
    .filter((call) => call.status === 200 && String(call.params.chat_id) === CHAT_ID)
    .filter((call) => call.params.disable_notification !== true)
    .flatMap((call) => {
      const text = String(call.params.text)
      return text.startsWith('📦') ? text.split('\n\n').slice(1) : [text]
    })
  let finishes = 0
  for (const text of texts) {
    const kinds = classify(text)
    if (kinds.includes('prompt') || kinds.includes('alert')) continue
    if (kinds.includes('finish')) {
      finishes++
      continue
    }
    const seq = /ONB-(\d+) «/.exec(text)?.[1]
    const task = seq ? bySeq.get(seq) : undefined
    if (kinds.includes('other') || !task) {
      violations.push(`unexpected message: ${text.slice(0, 160)}`)
      continue
    }
    for (const kind of kinds) {
      const key = `${kind}:${task.id}`
      heard.set(key, (heard.get(key) ?? 0) + 1)
    }
  }
  // A project's finish: told at most once each time its last open task closed (a reopening before the bridge looked,
  // or a close first seen by a poll's read, may leave one untold).
  if (finishes > scenario.finishes())
    violations.push(
      `project finish told ${finishes} times, it finished ${scenario.finishes()} times`
    )
  const expectations: Array<[Kind, Map<string, number>]> = [
    ['completion', model.expected.completions],
    ['blocked', model.expected.blocked],
    ['review', model.expected.reviews],
    ['approval', model.expected.approvals],
  ]
  for (const task of model.tasks.values()) {
    // Told when an agent was working on a deleted task: at most once, and only for a task deleted in Plane.
    const deletedTold = heard.get(`deleted:${task.id}`) ?? 0
    if (deletedTold > (task.deleted?.noticed ? 1 : 0))
      violations.push(`ONB-${task.seq}: deletion told ${deletedTold} times`)
  }
  for (const task of model.tasks.values())
    for (const [kind, expected] of expectations) {
      const want = expected.get(task.id) ?? 0
      const got = heard.get(`${kind}:${task.id}`) ?? 0
      // A lost question on a task that did not matter yet may be told late, once (see Expected.lateBlocked).
      const late = kind === 'blocked' ? (model.expected.lateBlocked.get(task.id) ?? 0) : 0
      if (got < want || got > want + late)
        violations.push(`ONB-${task.seq}: ${kind} told ${got} times, expected ${want}`)
    }

  // 1b. The live view: never two messages of one task under way at once, and none under way for a task Plane shows
  // finished (its end reached the live message).
  const live = new Map<string, string[]>()
  for (const message of t.telegram.messagesIn(Number(CHAT_ID))) {
    const state = LIVE_STATES.find((s) => message.text.split('\n').at(-1)?.endsWith(s))
    const seq = /^\S+ \[Onboarding\] ONB-(\d+) «/.exec(message.text)?.[1]
    if (state && seq) live.set(seq, [...(live.get(seq) ?? []), state])
  }
  for (const [seq, states] of live) {
    const task = bySeq.get(seq)
    const underWay = states.filter((s) => LIVE_UNDER_WAY.has(s)).length
    if (underWay > 1) violations.push(`ONB-${seq}: ${underWay} live messages under way at once`)
    const group = task && !task.deleted ? truth(task).group : null
    if ((group === 'completed' || group === 'cancelled') && underWay > 0)
      violations.push(`ONB-${seq}: ${group} in Plane, its live message still under way`)
  }

  // 2. The agents: one wake per assignment (none adopted, none while waiting for approval), one release.
  const calls = t.openclaw.calls
  const admitted = calls
    .map((c, i) => ({ ...c, index: i }))
    .filter((c) => c.path === '/hooks/agent' && c.status >= 200 && c.status < 300)
  const keys = new Set<string>()
  const distinct = admitted.filter((c) => {
    const key = c.idempotencyKey ?? `${c.index}`
    if (keys.has(key)) return false
    keys.add(key)
    return true
  })
  for (const task of model.tasks.values()) {
    for (const agent of AGENT_IDS) {
      const wakes = distinct.filter((c) =>
        c.idempotencyKey?.startsWith(`wake:${task.id}:${agent}:`)
      )
      for (const wake of wakes)
        if (!wake.idempotencyKey?.endsWith(':1'))
          violations.push(`ONB-${task.seq}: ${agent} woken again (${wake.idempotencyKey})`)
      const episodes = model.episodesOf(task, agent)
      const now = truth(task)
      for (const [i, episode] of episodes.entries()) {
        const last = i === episodes.length - 1
        const end = episodes[i + 1]?.startCall ?? Number.POSITIVE_INFINITY
        const inside = wakes.filter((w) => w.index >= episode.startCall && w.index < end).length
        const what = `${agent} woken ${inside} times in assignment ${i + 1}`
        // Never twice; never for a task adopted at deploy or never open to it (waiting for approval).
        if (inside > 1) violations.push(`ONB-${task.seq}: ${what}`)
        else if (inside > 0 && (episode.adoptable || !episode.worthy))
          violations.push(
            `ONB-${task.seq}: ${what}, expected none (${episode.adoptable ? 'adopted' : 'never open to it'})`
          )
        // Never left unaware of a task it holds open: woken, unless it already works on it.
        const holds =
          last &&
          task.deleted === null &&
          now.agents.includes(agent) &&
          OPEN.has(now.group) &&
          !now.approval
        if (holds && inside === 0 && !episode.adoptable && !episode.checkedIn)
          violations.push(
            `ONB-${task.seq}: ${what}, expected 1 (it holds the task, open, and never called a tool on it)`
          )
      }
      if (episodes.length === 0 && wakes.length > 0)
        violations.push(`ONB-${task.seq}: ${agent} woken although never assigned`)
    }
    const released = distinct.filter((c) => c.idempotencyKey?.startsWith(`unblocked:${task.id}:`))
    const want = model.expected.released.get(task.id) ?? 0
    // A deletion's release to an agent taken off the dependent since may not come (Expected.releasedByDeletion).
    const holders = truth(task).agents
    const mayLack = (model.expected.releasedByDeletion.get(task.id) ?? []).filter(
      (agent) => !holders.includes(agent)
    ).length
    // A dependent created while its dependency's completion was still being flushed (Expected.mayReleaseLate).
    const mayExtra = model.expected.mayReleaseLate.has(task.id) ? holders.length : 0
    if (released.length > want + mayExtra || released.length < want - mayLack)
      violations.push(`ONB-${task.seq}: released ${released.length} times, expected ${want}`)
  }

  // 3. The bridge's answers agree with Plane; a deleted task it noticed holds nothing any more (issue 37).
  const due = (await t.services.store.sortedRange(DUE_SET)).map((d) => d.member)
  const underWay = new Set((await t.services.store.sortedRange(OPEN_RUNS_SET)).map((e) => e.member))
  const seen = new Set((await t.services.store.sortedRange(SEEN_RUNS_SET)).map((e) => e.member))
  // Each run is indexed where its record says: seen by its agent, under way, or (finished) nowhere.
  const indexed = (record: RunRecord | null, seq: number) => {
    const open = record !== null && OPEN_RUN_STATES.has(record.state)
    const asSeen = open && record.state === 'seen' && record.agentId !== null
    const id = record?.taskId ?? ''
    const inSeen = [...seen].filter((member) => member.endsWith(`|${id}`))
    const want = asSeen ? [`${record.agentId}|${id}`] : []
    if (record && (inSeen.join() !== want.join() || underWay.has(id) !== (open && !asSeen)))
      violations.push(
        `ONB-${seq}: run ${record.agentId}/${record.state} indexed as seen ${JSON.stringify(inSeen)}, under way ${underWay.has(id)}`
      )
  }
  for (const task of model.tasks.values()) {
    if (!task.deleted) continue
    if (!task.deleted.noticed) continue
    for (const agent of AGENT_IDS)
      if ((await t.bridge.index.openTasks(agent)).includes(task.id))
        violations.push(`ONB-${task.seq}: deleted, still in ${agent}'s open tasks`)
    const record = await t.services.store.get<RunRecord>(runRecordKey(task.id))
    if (record && OPEN_RUN_STATES.has(record.state))
      violations.push(`ONB-${task.seq}: deleted, its run still ${record.state}`)
    indexed(record, task.seq)
    if (due.some((member) => member.includes(task.id)))
      violations.push(`ONB-${task.seq}: deleted, a deadline left in runs:due`)
  }
  for (const task of model.tasks.values()) {
    if (task.deleted) continue
    const details = await callHttp(t.app, 'get_task_details', t.bridgeTokens.ra as string, {
      task: `ONB-${task.seq}`,
    })
    const now = truth(task)
    const want = now.state === 'Bloqué' ? 'blocked' : STATUS_OF[now.group]
    if (details.status !== 200)
      violations.push(`ONB-${task.seq}: get_task_details ${details.status}`)
    else if (details.body.status !== want)
      violations.push(
        `ONB-${task.seq}: get_task_details says ${details.body.status}, Plane ${want}`
      )
    const card = [...world.plane.state.comments.values()].find(
      (c) =>
        c.issue === task.id &&
        !c.deleted_at &&
        String(c.comment_html).includes('plane-bridge:run-card')
    )
    const record = await t.services.store.get<RunRecord>(runRecordKey(task.id))
    indexed(record, task.seq)
    // A listing or a read checks a run in; only work (or Plane showing the task under way) starts it.
    if (
      record?.agentId &&
      (record.state === 'active' || record.state === 'stale') &&
      !task.worked.has(record.agentId as AgentId) &&
      !task.startedEver
    )
      violations.push(
        `ONB-${task.seq}: run ${record.state} for ${record.agentId}, who only listed or read it`
      )
    if (card && record) {
      const shown = parseRunCard(String(card.comment_html))
      if (shown && (shown.state !== record.state || shown.agentId !== record.agentId))
        violations.push(
          `ONB-${task.seq}: run card shows ${shown.agentId}/${shown.state}, the record ${record.agentId}/${record.state}`
        )
    }
  }
  return violations
}
