/**
 * @module What a Worker does for a route that withholds its answer (AnswerWithheld): it cannot drop the connection
 * (whatever it returns or throws becomes an HTTP status, which Plane takes as final: a thrown error is a 500), so it
 * answers later than Plane waits. Plane's `requests.post(…, timeout=30)` (plane-api.md §7.3) then fails with a read
 * timeout, a `RequestException` Plane retries like a dropped connection. The request waits on a timer (no CPU time),
 * and Workers set no wall-clock limit on a request while its caller is connected (Plane hangs up at 30 s).
 */

/** Plane's 30 s timeout, and a margin. */
export const CALLER_TIMEOUT_MS = 35_000

export type OutlastOptions = {
  now?: () => number
  wait?: (ms: number) => Promise<void>
}

/** The answer, 35 s after the request arrived (`started`, epoch ms): Plane has given up on it by then. */
export async function outlastCaller(
  started: number,
  {
    now = Date.now,
    wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  }: OutlastOptions = {}
): Promise<Response> {
  const left = CALLER_TIMEOUT_MS - (now() - started)
  if (left > 0) await wait(left)
  return Response.json(
    { error: 'unavailable', message: 'Storage unavailable; not accepted.' },
    { status: 503 }
  )
}
