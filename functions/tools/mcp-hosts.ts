/**
 * @module Which host names `/mcp` answers to (DNS-rebinding protection): PUBLIC_URL's host, localhost and
 * MCP_ALLOWED_HOSTS. Kept apart from the SDK (mcp-door.ts loads it on the first request) so that `openclaw-config`
 * can tell, without loading it, that the URL it prints would be refused (agents that followed the docs would get 403).
 */
import type { Config } from '../../shared/core/config.ts'

const LOCALHOST = ['localhost', '127.0.0.1', '[::1]']

/** The host names `/mcp` accepts in `Host` and `Origin`, lower case, IPv6 in brackets (as URL.hostname has them). */
export function mcpAllowedHosts(
  config: Pick<Config, 'PUBLIC_URL' | 'MCP_ALLOWED_HOSTS'>
): string[] {
  const publicHost = config.PUBLIC_URL ? _hostname(config.PUBLIC_URL) : null
  return [
    ...LOCALHOST,
    ...(publicHost ? [publicHost] : []),
    ...(config.MCP_ALLOWED_HOSTS ?? []),
  ].map((h) => h.toLowerCase())
}

/** The host name of `url` when `/mcp` would refuse it, else null (also null for a URL that does not parse). */
export function mcpRefusedHost(
  url: string,
  config: Pick<Config, 'PUBLIC_URL' | 'MCP_ALLOWED_HOSTS'>
): string | null {
  const host = _hostname(url)
  if (host === null) return null
  return mcpAllowedHosts(config).includes(host.toLowerCase()) ? null : host
}

/** What to do about a refused host, said the same way in the 403, the log and `openclaw-config`. */
export function mcpHostAdvice(host: string, allowed: readonly string[]): string {
  return `add ${host} to MCP_ALLOWED_HOSTS in plane-bridge's settings (comma-separated) and restart it; /mcp now answers to ${allowed.join(', ')}`
}

function _hostname(url: string): string | null {
  try {
    return new URL(url).hostname
  } catch {
    return null
  }
}
