/**
 * @module The agents bench's tool caller, run with plain `node` in a process of its own (`fork`, IPC): it makes each
 * agent's tool call over HTTP and times it here, from the request's start to its parsed answer. The bench's own
 * process holds Plane's simulator (a poll job's listing of 20,000 items is a page of 1,000 serialised at a time),
 * Telegram's and OpenClaw's: a call timed there was charged for whatever they were doing when its answer came, as a
 * real agent (an OpenClaw process of its own) is not.
 *
 * A message `{ id, url, token, body }` (body: the JSON text to send) is answered with `{ id, status, ms, body }`
 * (`body`: the parsed answer, or null when it was not JSON) or `{ id, status: 0, ms, error }` when no answer came.
 */

process.on('message', async (message) => {
  const { id, url, token, body } = message
  const started = performance.now()
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body,
    })
    const text = await response.text()
    const ms = performance.now() - started
    let parsed = null
    try {
      parsed = JSON.parse(text)
    } catch {}
    process.send?.({ id, status: response.status, ms, body: parsed })
  } catch (error) {
    const ms = performance.now() - started
    process.send?.({
      id,
      status: 0,
      ms,
      error: error instanceof Error ? error.message : String(error),
    })
  }
})

process.on('disconnect', () => process.exit(0))
