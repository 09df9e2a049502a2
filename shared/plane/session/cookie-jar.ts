/**
 * @module The cookies one Plane session carries (`csrftoken`, `session-id`, `admin-session-id`): one host, so names are
 * enough; a cookie set with `Max-Age=0` or an expiry in the past goes. Pure.
 */

export type CookieJar = {
  /** The `Cookie` header to send, or null when the jar is empty. */
  header(): string | null
  /** Takes the `Set-Cookie` lines of an answer. */
  take(setCookies: readonly string[], now: number): void
  get(name: string): string | undefined
  clear(): void
}

export function createCookieJar(): CookieJar {
  const cookies = new Map<string, string>()
  return {
    header: () =>
      cookies.size === 0
        ? null
        : [...cookies].map(([name, value]) => `${name}=${value}`).join('; '),
    take(setCookies, now) {
      for (const line of setCookies) {
        const [pair = '', ...attributes] = line.split(';')
        const at = pair.indexOf('=')
        if (at <= 0) continue
        const name = pair.slice(0, at).trim()
        const value = pair.slice(at + 1).trim()
        if (_expired(attributes, now) || value === '' || value === '""') cookies.delete(name)
        else cookies.set(name, value)
      }
    },
    get: (name) => cookies.get(name),
    clear: () => cookies.clear(),
  }
}

function _expired(attributes: readonly string[], now: number): boolean {
  for (const attribute of attributes) {
    const [key = '', value = ''] = attribute.split('=').map((p) => p.trim())
    if (key.toLowerCase() === 'max-age' && Number(value) <= 0) return true
    if (key.toLowerCase() === 'expires' && Date.parse(value) <= now) return true
  }
  return false
}
