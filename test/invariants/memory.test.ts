/** Issue 28's invariants over random scenarios on the memory store (the fs store's state machine, without its journal). */
import { describeTellingOnce } from './property.ts'

describeTellingOnce('memory')
