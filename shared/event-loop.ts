/**
 * @module Giving the event loop a turn inside long loops of store work: on the memory and fs stores every operation
 * resolves at once, so a loop over thousands of tasks runs as one unbroken chain of microtasks and holds every request
 * behind it (issue 39: the notify cron's flush of a deploy's first poll held `/plane status` for 3–5 s a minute).
 */

/** Resolves on the next turn of the event loop (setImmediate on Node, a zero timeout elsewhere). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    const immediate = (globalThis as { setImmediate?: (callback: () => void) => unknown })
      .setImmediate
    if (immediate) immediate(resolve)
    else setTimeout(resolve, 0)
  })
}
