/** @module A resource several cases share (a server, a store): opened once by whichever case sets up first, closed once. */

export type SharedFixture<T> = {
  /** Opens on the first call; later calls get the same value. */
  open(): Promise<T>
  /** The opened value; throws if nothing opened it (a case used it without a setup). */
  current(): T
  /** Closes if open; safe to call from every case's teardown, also after a failed open. */
  close(): Promise<void>
}

export function sharedFixture<T>(
  openResource: () => Promise<T>,
  closeResource: (value: T) => Promise<void>
): SharedFixture<T> {
  let opening: Promise<T> | null = null
  let value: { current: T } | null = null
  return {
    open() {
      opening ??= openResource().then((opened) => {
        value = { current: opened }
        return opened
      })
      return opening
    },
    current() {
      if (value === null) throw new Error('shared fixture used before open()')
      return value.current
    },
    async close() {
      const pending = opening
      opening = null
      value = null
      if (!pending) return
      // An open that failed (or was skipped) left nothing behind to close.
      const opened = await pending.then(
        (resource) => ({ resource }),
        () => null
      )
      if (opened) await closeResource(opened.resource)
    },
  }
}
