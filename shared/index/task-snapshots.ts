/**
 * @module What the bridge last stored of each task (the pipeline writes it, one version at a time): a part below the
 * pipeline and the run tracker, so that the tracker, /plane's loader and the tools read snapshots without calling
 * into the pipeline (no closures between the tracker and the pipeline).
 */
import type { TaskSnapshot } from '../events.ts'
import type { Store } from '../store/store.ts'

/** Where a task's snapshot lives; only the pipeline writes it. */
export const taskSnapshotKey = (id: string) => `task:snapshot:${id}`

export type TaskSnapshots = {
  get(taskId: string): Promise<TaskSnapshot | null>
  /** Several in one read (one MGET on Redis), in their order. */
  getMany(taskIds: readonly string[]): Promise<Array<TaskSnapshot | null>>
}

export function createTaskSnapshots({ store }: { store: Store }): TaskSnapshots {
  return {
    get: (taskId) => store.get<TaskSnapshot>(taskSnapshotKey(taskId)),
    getMany: (taskIds) => store.getMany<TaskSnapshot>(taskIds.map(taskSnapshotKey)),
  }
}

/** A task id with the version of its snapshot the index filed it under (`snapshotVersion`). */
export type VersionedTask = { id: string; version: number }

/**
 * A number that changes with any change of the stored snapshot (a 52-bit hash of its JSON): what the index files an
 * open task under, so that a reader holding that version knows it holds the stored snapshot. Not Plane's
 * `updated_at`: Plane's bulk updates (a state deleted, an archive job) change a task without touching it.
 */
export function snapshotVersion(task: TaskSnapshot): number {
  const text = JSON.stringify(task)
  // Two 32-bit FNV-1a walks with different bases and primes, each mixed at the end: 52 bits, a safe integer.
  let a = 0x811c9dc5
  let b = 0x9747b28c
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    a = Math.imul(a ^ c, 0x01000193)
    b = Math.imul(b ^ c, 0x5bd1e995)
  }
  a = Math.imul(a ^ (a >>> 15), 0x85ebca6b)
  b = Math.imul(b ^ (b >>> 13), 0xc2b2ae35)
  return 0x100000000 * ((b ^ (b >>> 16)) & 0xfffff) + ((a ^ (a >>> 16)) >>> 0)
}

export type SnapshotMemo = {
  /**
   * The snapshots of these tasks, in their order: the ones kept at the version asked from memory, the others in one
   * read (kept when the version read is the one asked).
   */
  at(tasks: readonly VersionedTask[], early?: HeldSnapshots): Promise<Array<TaskSnapshot | null>>
}

/**
 * Given, before any read, the snapshots kept at the versions asked (null where one is not): a caller may start what
 * it can from them while the others are read (list_my_tasks reads the page's descriptions meanwhile).
 */
export type HeldSnapshots = (held: ReadonlyArray<TaskSnapshot | null>) => void

/** Snapshots kept at most per process (ten agents' ~250 open tasks twice over; ~1 KB each in the heap). */
export const SNAPSHOT_MEMO_MAX = 5_000

/**
 * Open tasks' snapshots kept in the process by version: an agent's listing or the team's status reads the index
 * (ids and versions, one round trip) and, of the snapshots, only those that changed since (2,500 snapshots were
 * ~1.25 MB read and parsed for each get_team_status). Every reader's version comes from the store, so a snapshot
 * written by another process (the poll job, a replica) is read again. Callers do not change what they are given.
 */
export function createSnapshotMemo(
  read: (taskIds: readonly string[]) => Promise<Array<TaskSnapshot | null>>,
  max = SNAPSHOT_MEMO_MAX
): SnapshotMemo {
  const kept = new Map<string, { version: number; snapshot: TaskSnapshot }>()
  return {
    async at(tasks, early) {
      const out: Array<TaskSnapshot | null> = new Array(tasks.length).fill(null)
      const missing: number[] = []
      tasks.forEach(({ id, version }, i) => {
        const entry = kept.get(id)
        if (entry && entry.version === version) out[i] = entry.snapshot
        else missing.push(i)
      })
      early?.([...out])
      if (missing.length === 0) return out
      const found = await read(missing.map((i) => tasks[i]?.id ?? ''))
      missing.forEach((i, n) => {
        const task = tasks[i]
        const snapshot = found[n] ?? null
        out[i] = snapshot
        if (!task) return
        kept.delete(task.id)
        if (snapshot && snapshotVersion(snapshot) === task.version)
          kept.set(task.id, { version: task.version, snapshot })
      })
      // Oldest first in a Map's order: the first keys are the ones to drop.
      while (kept.size > max) kept.delete(kept.keys().next().value as string)
      return out
    },
  }
}
