/** Issue 47's ledger over random interleavings on Redis: each replica its own connection, keys under a throwaway prefix. */
import { describeBudgetLedger } from './budget-property.ts'

describeBudgetLedger('redis')
