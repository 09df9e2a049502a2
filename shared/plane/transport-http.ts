/** @module The HTTP plumbing under the Plane transport: a request's method and query, a fetch that keeps its deadline, answers read. */

export type PlaneMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE'

export type PlaneQuery = Record<string, string | number | boolean | undefined>

/** The query without its unset values, each as text. */
export function compactQuery(query: PlaneQuery | undefined): Record<string, string> | undefined {
  if (!query) return undefined
  const out: Record<string, string> = {}
  for (const [key, value] of Object.entries(query))
    if (value !== undefined) out[key] = String(value)
  return out
}

/** Plane answers JSON; anything else (an HTML page from the web app) is kept as text for the error. */
export function parseBody(text: unknown): unknown {
  if (typeof text !== 'string' || text === '') return undefined
  try {
    return JSON.parse(text)
  } catch {
    // Not JSON (a proxy's HTML page): kept as text for the error.
    return text
  }
}

/** The path of a URL, for the logs; a path as it is. */
export function pathOf(url: string): string {
  try {
    return new URL(url).pathname
  } catch {
    // Already a path: it is what the logs show.
    return url
  }
}

/**
 * ofetch enforces its timeout through an AbortSignal; a fetch that ignores the signal (a hung socket
 * in some runtimes, a test double) would hang forever, so the signal also settles the promise here.
 */
export function honourAbort(fetchImpl: typeof fetch): typeof fetch {
  return function fetchWithDeadline(input: RequestInfo | URL, init?: RequestInit) {
    const signal = init?.signal
    const pending = fetchImpl(input, init)
    if (!signal) return pending
    return new Promise<Response>((resolve, reject) => {
      const onAbort = () => reject(signal.reason)
      if (signal.aborted) return onAbort()
      signal.addEventListener('abort', onAbort, { once: true })
      pending.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
    })
  } as typeof fetch
}
