/** @module What a bridge tool is (name, schemas, LLM-facing description, MCP hints, who may call it) and what it gets. */
import type { z } from 'zod'
import type { Services } from '../../shared/core/function.ts'
import type { Parts } from '../../shared/core/parts.ts'
import type { Caller, TaskContext } from '../../shared/tasks/task-context.ts'
import type { SpooledFile } from '../../shared/uploads/spool.ts'
import type { JsonUpload } from './body.ts'

export type { Caller, TouchedTask } from '../../shared/tasks/task-context.ts'

/** The parts the tools read, beyond the shared task steps': named here, handed to a tool flat. */
export type ToolParts = Pick<
  Parts,
  | 'directory'
  | 'pipeline'
  | 'index'
  | 'tracker'
  | 'freshener'
  | 'taskReads'
  | 'labels'
  | 'projectStates'
  | 'taskDeleted'
  | 'kick'
  | 'chatId'
  | 'holds'
  | 'budget'
  | 'agentWriters'
  | 'agentCalls'
  | 'live'
>

/** What the tools use of the services. */
export type ToolServices = Pick<
  Services,
  'config' | 'store' | 'log' | 'now' | 'background' | 'hashing' | 'agents'
>

/** One call's context: its parts and services flat (`ctx.pipeline`, `ctx.config`), and the call's own fields. */
export type ToolContext = TaskContext &
  ToolParts &
  ToolServices & {
    /** Whose name a tool's writes carry: always the calling agent, `me`. */
    author: { kind: 'agent'; agent: Caller }
    me: Caller
    /** The file a multipart upload brought (spooled), for upload_deliverable; null for JSON calls. */
    upload: SpooledFile | null
    /**
     * A JSON upload's `content_base64` as the door decoded it while reading (never held as text): the input then
     * holds a marker that `spilled.take` turns into the file. Null when the door read the body as text.
     */
    spilled: JsonUpload | null
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
export type AgentTool = Omit<ToolDefinition<z.ZodObject, z.ZodObject>, 'handler' | 'summarize'> & {
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
): AgentTool {
  return {
    ...tool,
    handler: (input, ctx) => tool.handler(tool.input.parse(input), ctx),
    summarize: (output) => tool.summarize(tool.output.parse(output)),
  }
}
