/** The part of `cloudflare:test` (@cloudflare/vitest-pool-workers) these tests use, typed without workers-types. */
declare module 'cloudflare:test' {
  import type { WorkerExecutionContext, WorkerScheduledController } from '../../runtime/worker.ts'
  import type { WorkerEnv } from '../../runtime/worker-runtime.ts'
  import type { KvNamespaceLike } from '../../runtime/worker-store.ts'

  /** KvNamespaceLike with `list` typed as the tests read it. */
  export type TestKvNamespace = {
    get: KvNamespaceLike['get']
    put: KvNamespaceLike['put']
    delete: KvNamespaceLike['delete']
    list(options?: { prefix?: string }): Promise<{
      keys: Array<{ name: string; expiration?: number }>
      list_complete: boolean
    }>
  }

  export const env: Omit<WorkerEnv, 'STORE'> & { STORE: TestKvNamespace }
  export const SELF: { fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> }
  export function createExecutionContext(): WorkerExecutionContext
  export function waitOnExecutionContext(ctx: WorkerExecutionContext): Promise<void>
  export function createScheduledController(options?: {
    scheduledTime?: number
    cron?: string
  }): WorkerScheduledController
}
