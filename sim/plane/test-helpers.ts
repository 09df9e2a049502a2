/** @module Shared test fixtures: a seeded workspace and a tiny HTTP helper over `app.request()`. */

import { createPlaneSim, type PlaneSim, type PlaneSimOptions } from './index.ts'

export type CallResult = {
  status: number
  // biome-ignore lint/suspicious/noExplicitAny: tests assert on arbitrary JSON bodies field by field
  body: any
  text: string
  headers: Headers
}

export type SeededSim = Awaited<ReturnType<typeof seededSim>>

/**
 * A workspace with an admin (project creator), a member, a guest, a workspace member outside the
 * project, and project ENG with the member (15) and the guest (5) added.
 */
export function seededSim(options: PlaneSimOptions = {}) {
  const sim = createPlaneSim(options)
  const admin = sim.seed.user({ role: 20, first_name: 'Ada', display_name: 'ada' })
  const member = sim.seed.user({ first_name: 'Max', display_name: 'max' })
  const guest = sim.seed.user({ first_name: 'Gus', display_name: 'gus', role: 5 })
  const outsider = sim.seed.user({ first_name: 'Oli', display_name: 'oli' })
  const project = sim.seed.project({ name: 'Engineering', identifier: 'ENG', creator: admin.id })
  sim.seed.member(project.id, member.id, 15)
  sim.seed.member(project.id, guest.id, 5)
  const projectPath = `/api/v1/workspaces/${sim.workspaceSlug}/projects/${project.id}`
  const states = [...sim.state.states.values()].filter((state) => state.project === project.id)
  const stateId = (name: string) => states.find((state) => state.name === name)?.id ?? ''
  return { sim, admin, member, guest, outsider, project, projectPath, stateId, call: caller(sim) }
}

export function caller(sim: PlaneSim) {
  return async function call(
    method: string,
    path: string,
    {
      key,
      body,
      headers = {},
    }: { key?: string; body?: unknown; headers?: Record<string, string> } = {}
  ): Promise<CallResult> {
    const init: RequestInit = { method, headers: { ...headers } }
    if (key) (init.headers as Record<string, string>)['X-API-Key'] = key
    if (body !== undefined) {
      ;(init.headers as Record<string, string>)['Content-Type'] ??= 'application/json'
      init.body = typeof body === 'string' ? body : JSON.stringify(body)
    }
    const response = await sim.app.request(path, init)
    const text = await response.text()
    let parsed: unknown = text
    try {
      parsed = text ? JSON.parse(text) : null
    } catch {
      parsed = text
    }
    return { status: response.status, body: parsed, text, headers: response.headers }
  }
}
