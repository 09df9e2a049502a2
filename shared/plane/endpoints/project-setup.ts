/** @module Per-project configuration endpoints: states, labels, cycles, modules. */

import { planeIdSegment, planePath } from '../paths.ts'
import { planeListSchema } from '../schema-fields.ts'
import {
  type PlaneCycle,
  type PlaneLabel,
  type PlaneModule,
  type PlaneState,
  planeCycleSchema,
  planeLabelSchema,
  planeModuleSchema,
  planeStateSchema,
} from '../schemas.ts'
import { createOrResolve, type PlaneEndpointContext } from './context.ts'

export type PlaneStateGroup = 'backlog' | 'unstarted' | 'started' | 'completed' | 'cancelled'

export type StateCreateInput = {
  name: string
  /** Plane refuses `triage` on create (400). */
  group: PlaneStateGroup
  color: string
  description?: string
  sequence?: number
  external_id?: string
  external_source?: string
}

export type LabelCreateInput = {
  name: string
  color?: string
  description?: string
  parent?: string
  sort_order?: number
  external_id?: string
  external_source?: string
}

/** `cycle_view` values; `current` is answered unpaginated. */
export type CycleView = 'all' | 'current' | 'upcoming' | 'completed' | 'draft' | 'incomplete'

export function createProjectSetupEndpoints(context: PlaneEndpointContext) {
  const { transport, paginator, workspaceSlug: slug } = context
  const under = (projectId: string, ...rest: string[]) =>
    planePath('workspaces', slug, 'projects', planeIdSegment(projectId), ...rest)

  const states = {
    /** Triage states are hidden by Plane. */
    list: async function listStates(projectId: string): Promise<PlaneState[]> {
      return (await paginator.listAll(under(projectId, 'states'), {}, planeStateSchema)).results
    },
    /** Plane answers 200 (not 201); a taken name answers 409 with the existing id. */
    create: async function createState(
      projectId: string,
      input: StateCreateInput
    ): Promise<PlaneState> {
      return createOrResolve(context, under(projectId, 'states'), planeStateSchema, input, (id) =>
        under(projectId, 'states', id)
      )
    },
  }

  const labels = {
    list: async function listLabels(projectId: string): Promise<PlaneLabel[]> {
      return (await paginator.listAll(under(projectId, 'labels'), {}, planeLabelSchema)).results
    },
    /** A taken name answers 409 with the existing id. */
    create: async function createLabel(
      projectId: string,
      input: LabelCreateInput
    ): Promise<PlaneLabel> {
      return createOrResolve(context, under(projectId, 'labels'), planeLabelSchema, input, (id) =>
        under(projectId, 'labels', id)
      )
    },
  }

  const cycles = {
    list: async function listCycles(
      projectId: string,
      { view = 'all' }: { view?: Exclude<CycleView, 'current'> } = {}
    ): Promise<PlaneCycle[]> {
      const query = { cycle_view: view }
      return (await paginator.listAll(under(projectId, 'cycles'), query, planeCycleSchema)).results
    },
    /** One cycle with its counts (`total_issues`, `completed_issues`…), as they are now. */
    get: async function getCycle(projectId: string, cycleId: string): Promise<PlaneCycle> {
      return transport.request('GET', under(projectId, 'cycles', cycleId), planeCycleSchema)
    },
    /** The running cycle(s): one request, not paginated (plane-api.md §2). */
    current: async function listCurrentCycles(projectId: string): Promise<PlaneCycle[]> {
      return transport.request(
        'GET',
        under(projectId, 'cycles'),
        planeListSchema(planeCycleSchema),
        {
          query: { cycle_view: 'current' },
        }
      )
    },
  }

  const modules = {
    list: async function listModules(projectId: string): Promise<PlaneModule[]> {
      return (await paginator.listAll(under(projectId, 'modules'), {}, planeModuleSchema)).results
    },
  }

  return { states, labels, cycles, modules }
}
