/**
 * @module A store that counts every operation and fails one on purpose: its k-th operation throws once, or the
 * "process" dies there (every later operation of this wrapper throws, as nothing a dead process does reaches the
 * store). Several wrappers over one store are several processes sharing it (issue 14's fault harness).
 */
import type { Store, StoreLock } from '../../shared/store/store.ts'

/** `throw`: the k-th operation fails once and the process goes on. `kill`: the process dies at the k-th. */
export type FaultMode = 'throw' | 'kill'

/** One operation as the store saw it: its number (from 1), its name and the key it addressed. */
export type StoreOp = { n: number; name: string; key: string }

export type FaultyStore = Store & {
  /** Operations since the last `arm` (the fault's included). */
  readonly ops: readonly StoreOp[]
  /** The operation that was failed, once it happened. */
  readonly hit: StoreOp | null
  /** True once the process died (`kill` mode): every operation throws. */
  readonly dead: boolean
  /** Count from zero again; with a plan, fail operation `at` (1-based), or the first that `match`es, that way. */
  arm(plan?: FaultPlan): void
}

export type FaultPlan =
  | { mode: FaultMode; at: number }
  | { mode: FaultMode; match: (op: StoreOp) => boolean }

export class InjectedFault extends Error {
  constructor(
    readonly op: StoreOp,
    readonly mode: FaultMode
  ) {
    super(`injected store fault (${mode}) at operation ${op.n}: ${op.name} ${op.key}`)
    this.name = 'InjectedFault'
  }
}

/**
 * @example const faulty = createFaultyStore(memory); faulty.arm({ mode: 'kill', at: 7 })
 */
export function createFaultyStore(inner: Store): FaultyStore {
  let ops: StoreOp[] = []
  let plan: FaultPlan | null = null
  let hit: StoreOp | null = null
  let dead = false

  /** Counts the operation, then fails it if it is the planned one, or if the process is dead. */
  const run = async <T>(name: string, key: string, fn: () => Promise<T>): Promise<T> => {
    if (dead) throw new Error(`store used after the process died: ${name} ${key}`)
    const op: StoreOp = { n: ops.length + 1, name, key }
    ops.push(op)
    if (plan && ('at' in plan ? op.n === plan.at : plan.match(op))) {
      const mode = plan.mode
      plan = null
      hit = op
      if (mode === 'kill') dead = true
      throw new InjectedFault(op, mode)
    }
    return fn()
  }
  const wrapLock = (lock: StoreLock): StoreLock => ({
    key: lock.key,
    release: () => run('unlock', lock.key, () => lock.release()),
    extend: (ttl) => run('lock-extend', lock.key, () => lock.extend(ttl)),
  })

  return {
    driver: inner.driver,
    location: inner.location,
    get ops() {
      return ops
    },
    get hit() {
      return hit
    },
    get dead() {
      return dead
    },
    arm(next) {
      ops = []
      hit = null
      plan = next ?? null
    },
    get: <T>(key: string) => run('get', key, () => inner.get<T>(key)),
    getMany: <T>(keys: readonly string[]) =>
      run('getMany', keys[0] ?? '', () => inner.getMany<T>(keys)),
    set: (key, value, options) => run('set', key, () => inner.set(key, value, options)),
    getText: (key) => run('getText', key, () => inner.getText(key)),
    has: (key) => run('has', key, () => inner.has(key)),
    delete: (key) => run('delete', key, () => inner.delete(key)),
    keys: (prefix) => run('keys', prefix ?? '', () => inner.keys(prefix)),
    claim: (key, ttl, value) => run('claim', key, () => inner.claim(key, ttl, value)),
    claimAndEnqueue: (claim, item) =>
      run('claim-enqueue', claim.key, () => inner.claimAndEnqueue(claim, item)),
    dequeue: (item) => run('dequeue', item.key, () => inner.dequeue(item)),
    lock: (key, ttl) =>
      run('lock', key, async () => {
        const lock = await inner.lock(key, ttl)
        return lock ? wrapLock(lock) : null
      }),
    increment: (key, ttl, by) => run('increment', key, () => inner.increment(key, ttl, by)),
    sortedAdd: (key, member, score, options) =>
      run('index-add', `${key} ${member}`, () => inner.sortedAdd(key, member, score, options)),
    sortedRemove: (key, member) =>
      run('index-remove', `${key} ${member}`, () => inner.sortedRemove(key, member)),
    sortedRange: (key, options) => run('index-range', key, () => inner.sortedRange(key, options)),
    sortedScore: (key, member) =>
      run('index-score', `${key} ${member}`, () => inner.sortedScore(key, member)),
    sortedSize: (key) => run('index-size', key, () => inner.sortedSize(key)),
    windowTake: (key, options) => run('window-take', key, () => inner.windowTake(key, options)),
    ping: () => run('ping', '', () => inner.ping()),
    sweep: () => run('sweep', '', () => inner.sweep()),
    // Not an operation of the flow: the test closes the shared store once, after the last runtime.
    dispose: () => inner.dispose(),
  }
}
