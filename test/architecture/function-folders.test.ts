/**
 * The function folders stand apart: a file under functions/<a>/ imports no file under functions/<b>/. What two
 * functions share (the task steps of the tools and of Telegram's card actions, a route's rate limit) lives in
 * shared/, where the layers and the rooms are checked; an edge between two folders hides a step in one function that
 * another one runs. The few edges that stay are listed with their reason.
 */
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { findCrossFunctionImports, readImportGraph } from './imports.ts'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const graph = readImportGraph(ROOT, ['functions'])

/** The registries at functions/'s root: they list every function, so they import every folder. */
const REGISTRIES: Record<string, string> = {
  'functions/index.ts':
    'the registry: every function with its route, cron or job name, jobs included',
  'functions/served.ts':
    'the functions a server serves (routes and crons), which the registry and the runtimes read',
}

/** The edges between function folders that stay, each with its reason. */
const ALLOWED: Record<string, string> = {
  'functions/bootstrap/bootstrap.ts → functions/provision/provision.ts':
    'bootstrap ends with what the provision job does, on the same parts: the job itself run, not a copy of it',
  'functions/notify/notify.ts → functions/webhooks/inbox.ts':
    "the notify cron replays Plane deliveries a route kept and a dead process left unprocessed: the route's inbox, " +
    'with the parts its processing reads (INBOX_PARTS)',
  'functions/notify/notify.ts → functions/telegram/command-inbox.ts':
    'the notify cron replays /plane commands and presses the Telegram route kept and a dead process left unanswered',
  'functions/notify/notify.ts → functions/telegram/answer-command.ts':
    'the parts a replayed command reads (COMMAND_PARTS), declared by the cron that replays it',
}

describe('function folders', () => {
  it('should read every function folder and the registries', () => {
    expect(graph.size).toBeGreaterThan(40)
    expect(graph.get('functions/served.ts')).toContain('functions/telegram/webhook.ts')
    expect(graph.get('functions/telegram/actions.ts')).toContain('shared/tasks/tasks.ts')
  })

  it('should import no other function folder, but the registries and the edges allowed', () => {
    const found = findCrossFunctionImports(graph)
    const fromRegistry = (edge: string) => (edge.split(' → ')[0] ?? '') in REGISTRIES
    expect(found.filter(fromRegistry).length).toBeGreaterThan(10)
    const rest = found.filter((edge) => !fromRegistry(edge))
    // Every allowed edge still exists: one that no longer applies goes.
    expect(rest.filter((edge) => edge in ALLOWED)).toEqual(Object.keys(ALLOWED).sort())
    expect(rest.filter((edge) => !(edge in ALLOWED))).toEqual([])
  })

  it("should keep functions/'s root to the registries", () => {
    const root = [...graph.keys()].filter((file) => file.split('/').length === 2)
    expect(root.sort()).toEqual(Object.keys(REGISTRIES).sort())
  })

  it('should name an import between two folders, and none within one or into shared/', () => {
    expect(
      findCrossFunctionImports(
        new Map([
          [
            'functions/telegram/actions.ts',
            ['functions/tools/tasks.ts', 'functions/telegram/budget-actions.ts'],
          ],
          [
            'functions/telegram/webhook.ts',
            ['functions/webhooks/rate-limit.ts', 'shared/core/function.ts'],
          ],
          ['functions/index.ts', ['functions/served.ts', 'functions/ops/check.ts']],
          ['functions/tools/tools/add-comment.ts', ['functions/tools/writes.ts']],
          ['shared/tasks/tasks.ts', ['functions/tools/errors.ts']],
        ])
      )
    ).toEqual([
      'functions/index.ts → functions/ops/check.ts',
      'functions/index.ts → functions/served.ts',
      'functions/telegram/actions.ts → functions/tools/tasks.ts',
      'functions/telegram/webhook.ts → functions/webhooks/rate-limit.ts',
    ])
  })
})
