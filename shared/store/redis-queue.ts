/** @module The Redis store's queue steps: a claim and a queued item, or an item and its index entry, each one script. */
import { assertDequeued, assertQueuedClaim } from './envelope.ts'
import type { RedisContext } from './redis-context.ts'
import { CLAIM_AND_ENQUEUE, claimAndEnqueueArgs, DEQUEUE } from './redis-scripts.ts'
import type { Store } from './types.ts'

export function createRedisQueue({
  k,
  now,
  guard,
  script,
}: RedisContext): Pick<Store, 'claimAndEnqueue' | 'dequeue'> {
  return {
    claimAndEnqueue: (claim, item) =>
      guard('claim-enqueue', async () => {
        assertQueuedClaim(claim, item)
        const keys = [k(claim.key), k(item.sortedSet), k(item.key)]
        const args = claimAndEnqueueArgs(claim, item, now())
        return Number(await script(CLAIM_AND_ENQUEUE, keys, args)) === 1
      }),
    dequeue: (item) =>
      guard('dequeue', async () => {
        assertDequeued(item)
        await script(DEQUEUE, [k(item.key), k(item.sortedSet)], [item.member])
      }),
  }
}
