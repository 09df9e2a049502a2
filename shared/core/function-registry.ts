/** @module Checks the function registry once at start, and sorts functions into on and off by their settings. */
import { type Config, missingSettings } from './config.ts'
import { parseCron } from './cron.ts'
import type { AppFunction, FunctionInventory } from './function.ts'

export class RegistryError extends Error {
  override name = 'RegistryError'
}

const NAME_PATTERN = /^[a-z][a-z0-9-]*$/

/** Throws on a duplicate name or route, a bad name, path or cron expression: a broken registry must not start. */
export function validateRegistry(functions: readonly AppFunction[]): void {
  const names = new Set<string>()
  const routes = new Set<string>()
  const problems: string[] = []
  for (const fn of functions) {
    if (!NAME_PATTERN.test(fn.name)) problems.push(`function name "${fn.name}" must be kebab-case`)
    if (names.has(fn.name)) problems.push(`duplicate function name "${fn.name}"`)
    names.add(fn.name)
    if (fn.kind === 'http') {
      if (!fn.path.startsWith('/')) problems.push(`${fn.name}: path "${fn.path}" must start with /`)
      const route = `${fn.method} ${fn.path}`
      if (routes.has(route)) problems.push(`duplicate route "${route}" (${fn.name})`)
      routes.add(route)
    }
    if (fn.kind === 'cron') {
      try {
        parseCron(fn.schedule)
      } catch (error) {
        problems.push(`${fn.name}: invalid cron "${fn.schedule}": ${(error as Error).message}`)
      }
    }
  }
  if (problems.length > 0)
    throw new RegistryError(`Invalid function registry:\n- ${problems.join('\n- ')}`)
}

/** Which functions can run with this config; the others are named with the settings they lack. */
export function takeInventory(
  functions: readonly AppFunction[],
  config: Config
): FunctionInventory {
  const inventory: FunctionInventory = { enabled: [], disabled: {} }
  for (const fn of functions) {
    const missing = missingSettings(config, fn.requires ?? [])
    if (missing.length === 0) inventory.enabled.push(fn.name)
    else inventory.disabled[fn.name] = missing
  }
  return inventory
}

/** An output of the bridge that a missing setting turns off, though every function is on. */
export type OutputOff = { output: string; missing: string[]; effect: string }

/**
 * What the bridge cannot do with these settings, said at start (functions can all be "on" while agents are
 * never woken, say): no agent registry, no OpenClaw hooks, no Telegram chat.
 */
export function outputsOff(
  config: Pick<
    Config,
    'OPENCLAW_HOOKS_URL' | 'OPENCLAW_HOOKS_TOKEN' | 'TELEGRAM_BOT_TOKEN' | 'TELEGRAM_CHAT_ID'
  >,
  agents: readonly unknown[]
): OutputOff[] {
  const off: OutputOff[] = []
  if (agents.length === 0)
    off.push({
      output: 'agents',
      missing: ['AGENTS_FILE (or AGENTS_JSON)'],
      effect:
        'no agent can call /mcp or /bridge/v1, nobody is woken, no task is watched as an agent run',
    })
  const unset = (...keys: Array<keyof typeof config>) => keys.filter((k) => !config[k])
  const hooks = unset('OPENCLAW_HOOKS_URL', 'OPENCLAW_HOOKS_TOKEN')
  if (hooks.length > 0)
    off.push({
      output: 'agent wake-ups',
      missing: hooks,
      effect: 'agents are never woken: they see new tasks only when they list them themselves',
    })
  const telegram = unset('TELEGRAM_BOT_TOKEN', 'TELEGRAM_CHAT_ID')
  if (telegram.length > 0)
    off.push({
      output: 'messages to the human',
      missing: telegram,
      effect: 'nothing is sent to Telegram (notifications, alerts, the digest)',
    })
  return off
}
