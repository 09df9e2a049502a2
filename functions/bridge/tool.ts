/** @module What a bridge tool is (name, schemas, LLM-facing description, MCP hints, who may call it) and what it gets. */
import type { z } from 'zod'
import type { AgentConfig } from '../../shared/agents.ts'
import type { Bridge } from '../../shared/bridge.ts'
import type { TaskSnapshot } from '../../shared/events.ts'
import type { Services } from '../../shared/function.ts'
import type { AgentRef } from '../../shared/notify/directory.ts'
import type { PlaneClient } from '../../shared/plane/client.ts'
import type { RunStore } from '../../shared/runs/records.ts'
import type { HeldFile } from '../../shared/uploads/spool.ts'

/** The calling agent, resolved from its bearer token. */
export type Caller = AgentRef & { config: AgentConfig }

export type ToolContext = {
  services: Services
  bridge: Bridge
  me: Caller
  /** The bridge's own client: reads, and the run card (a bridge-owned comment). */
  plane: PlaneClient
  /** Writes on the caller's behalf: its own Plane key when it has one, else the bridge's. */
  writer: PlaneClient
  /** Whether `writer` is the caller's own key (Plane shows the agent as the author). */
  ownKey: boolean
  runs: RunStore
  now: () => number
  /** The file a multipart upload brought (spooled), for upload_deliverable; null for JSON calls. */
  upload: HeldFile | null
  /** The caller's own tasks this call worked on: each counts as the agent checking in on its run. */
  touched: Map<string, TouchedTask>
}

/** A task a call worked on, by id in `touched`. */
export type TouchedTask = {
  projectId: string
  ref: string | null
  task: TaskSnapshot
  /** Only seen in the agent's list (list_my_tasks): checked in after the answer, no run card of its own. */
  listed?: boolean
  /** Not the caller's task: only a mention of it there is answered (issue 37). */
  notMine?: boolean
}

/** MCP tool annotations: without them OpenClaw treats every call as needing approval. */
export type ToolHints = {
  readOnlyHint: boolean
  destructiveHint: boolean
  idempotentHint: boolean
  openWorldHint: boolean
}

/** A tool as it is written: its handler and summary know its schemas' types. */
export type ToolDefinition<I extends z.ZodObject, O extends z.ZodObject> = {
  /** snake_case, part of the public contract. */
  name: string
  title: string
  /** For the LLM: what it does, when to use it, what it refuses. */
  description: string
  input: I
  output: O
  hints: ToolHints
  /** `concierge`: only the Concierge may call it (OPENCLAW-08). */
  access: 'agent' | 'concierge'
  handler: (input: z.output<I>, ctx: ToolContext) => Promise<z.input<O>>
  /** A one-paragraph readable result for MCP's text content (the JSON follows it). */
  summarize: (output: z.output<O>) => string
}

/**
 * A tool as the registry and the doors hold it, whatever its schemas: its handler and summary take what they are
 * given as unknown and check it against the tool's own schemas (`defineTool`), so erasing the types trusts nothing.
 */
export type BridgeTool = Omit<ToolDefinition<z.ZodObject, z.ZodObject>, 'handler' | 'summarize'> & {
  handler: (input: unknown, ctx: ToolContext) => Promise<unknown>
  summarize: (output: unknown) => string
}

/**
 * The tool, its schemas' types erased for the registry. A door parses a call's input before the handler and its
 * output before the summary; they are parsed again here, which costs little (small objects; a file's base64 is
 * checked for its length only) and is exact while the schemas only trim, default and refine (no transforms).
 */
export function defineTool<I extends z.ZodObject, O extends z.ZodObject>(
  tool: ToolDefinition<I, O>
): BridgeTool {
  return {
    ...tool,
    handler: (input, ctx) => tool.handler(tool.input.parse(input), ctx),
    summarize: (output) => tool.summarize(tool.output.parse(output)),
  }
}
