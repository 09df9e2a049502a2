/** Issue 47's ledger over random interleavings on the memory store (the fs store's state machine). */
import { describeBudgetLedger } from './budget-property.ts'

describeBudgetLedger('memory')
