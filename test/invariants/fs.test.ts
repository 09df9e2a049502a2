/**
 * Issue 28's invariants over random scenarios on the file store (the embedded default): its journal in a temporary
 * folder, each process its own store on it, as `npm start` and `npm run job` open DATA_DIR.
 */
import { describeTellingOnce } from './property.ts'

describeTellingOnce('fs')
