/** Issue 28's invariants over random scenarios on Redis: each process its own connection, keys under a throwaway prefix. */
import { describeTellingOnce } from './property.ts'

describeTellingOnce('redis')
