/**
 * @module Settings that still hold a template's example value: `.env.example` and `compose/.env.example`
 * fill in placeholders on example.com (RFC 2606 reserves it) so that an operator sees what goes where; one who fills
 * in only the secrets must be told, at start and by `check`, before `provision` points a webhook at example.com.
 * Pure: the templates' own values are held against this list by test/deploy/env-example.test.ts.
 */
import type { Config } from './config.ts'

/** The settings the templates fill with a placeholder that is not a default, and what that placeholder is. */
export const TEMPLATE_EXAMPLES = {
  PUBLIC_URL: 'https://hooks.example.com',
  PLANE_BASE_URL: 'https://plane.example.com',
  PLANE_WORKSPACE_SLUG: 'my-workspace',
} as const satisfies Partial<Record<keyof Config, string>>

/** Settings holding a URL: any on a reserved example domain is a placeholder, whatever its path. */
const URL_SETTINGS = [
  'PUBLIC_URL',
  'PLANE_BASE_URL',
  'PLANE_WEBHOOK_URL',
  'OPENCLAW_HOOKS_URL',
  'TELEGRAM_API_BASE',
  'REDIS_REST_URL',
] as const

export type TemplateExample = { setting: string; value: string }

/** Each setting that holds a template's example value, in a fixed order. */
export function templateExamplesIn(config: Partial<Config>): TemplateExample[] {
  const found: TemplateExample[] = []
  for (const setting of URL_SETTINGS) {
    const value = config[setting]
    if (typeof value === 'string' && _onExampleDomain(value)) found.push({ setting, value })
  }
  for (const [setting, example] of Object.entries(TEMPLATE_EXAMPLES)) {
    const value = config[setting as keyof Config]
    if (value === example && !found.some((f) => f.setting === setting))
      found.push({ setting, value })
  }
  return found
}

/** One sentence for the log, `check` and /ready: what still holds an example, and what to do. */
export function describeTemplateExamples(found: readonly TemplateExample[]): string {
  const list = found.map((f) => `${f.setting}=${f.value}`).join(', ')
  return `${found.length === 1 ? 'a setting still holds' : 'settings still hold'} the template's example value (${list}): set your own in .env (or compose/.env) and restart; provision would register webhooks there`
}

/** example.com, .net, .org and their subdomains, and the `.example` top-level domain (RFC 2606). */
function _onExampleDomain(url: string): boolean {
  let host: string
  try {
    host = new URL(url).hostname.toLowerCase()
  } catch {
    return false
  }
  return /(^|\.)example\.(com|net|org)$/.test(host) || host.endsWith('.example')
}
