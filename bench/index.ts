/** @module `npm run bench`: runs every bench in this list, in order; BENCH_QUICK=1 for a short run, BENCH_FILTER=<text> to pick. */
import { agentsBench } from './agents.bench.ts'
import { boundedBench } from './bounded.bench.ts'
import { budgetBench } from './budget.bench.ts'
import { deployBench } from './deploy.bench.ts'
import { ingestBench } from './ingest.bench.ts'
import { readBenchOptions } from './options.ts'
import { pollBench } from './poll.bench.ts'
import { runtimeBench } from './runtime.bench.ts'
import { storeBench } from './store.bench.ts'
import { exitWhenIdle, runSuite } from './suite.ts'
import { tellingBench } from './telling.bench.ts'
import { textBench } from './text.bench.ts'
import { webhookBench } from './webhook.bench.ts'

// Listed by hand, not globbed: a new bench file joins the run when it is added here.
const benches = [
  runtimeBench,
  storeBench,
  budgetBench,
  webhookBench,
  ingestBench,
  pollBench,
  tellingBench,
  textBench,
  boundedBench,
  deployBench,
  agentsBench,
]

exitWhenIdle(await runSuite(benches, readBenchOptions()))
