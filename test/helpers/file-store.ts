/**
 * The file store on a folder as `npm start` opens it on DATA_DIR (runtime/node-store.ts), with what a test sets: its
 * clock, and the size from which its journal is rewritten. Each call is another process's store on that journal.
 */
import { openFileJournal } from '../../runtime/node-journal.ts'
import { createLocalStore } from '../../shared/store/local.ts'
import type { Store } from '../../shared/store/types.ts'

export function openFileStore(
  dir: string,
  { now, compactMinBytes }: { now?: () => number; compactMinBytes?: number } = {}
): Store {
  return createLocalStore({
    name: 'fs',
    location: dir,
    journal: openFileJournal({
      dir,
      ...(compactMinBytes === undefined ? {} : { compactMinBytes }),
    }),
    ...(now ? { now } : {}),
  })
}
