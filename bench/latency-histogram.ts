/**
 * @module A fixed-size latency histogram (HdrHistogram's log-linear layout): constant memory, O(1) record, ≤ 0.8 % error.
 *
 * Why not keep every sample and sort: a Map get/set does millions of ops a second, so one round would need
 * tens of MB of samples, and allocating them would show up in the very RSS/heap numbers the bench reports.
 */

// 2^7 = 128 linear sub-buckets per power of two: a value is known to within 1/128 of itself.
const SUB_BITS = 7
const SUB_COUNT = 1 << SUB_BITS
// Values are whole nanoseconds in a uint32: anything slower than ~4.29 s lands in the last bucket.
const MAX_NS = 0xffffffff
const BUCKETS = (33 - SUB_BITS) * SUB_COUNT

export type LatencyHistogram = {
  /** Add one latency, in milliseconds (a `performance.now()` difference). */
  record(ms: number): void
  readonly count: number
  /** Nearest-rank percentile in milliseconds (`p` in 0..100); NaN when empty. */
  percentile(p: number): number
  reset(): void
}

export function createLatencyHistogram(): LatencyHistogram {
  const counts = new Float64Array(BUCKETS)
  let count = 0
  return {
    record(ms) {
      const ns = Math.min(MAX_NS, Math.max(1, Math.round(ms * 1e6)))
      const bucket = bucketIndex(ns)
      counts[bucket] = (counts[bucket] ?? 0) + 1
      count++
    },
    get count() {
      return count
    },
    percentile(p) {
      if (count === 0) return Number.NaN
      const rank = Math.max(1, Math.ceil((p / 100) * count))
      let seen = 0
      for (let index = 0; index < BUCKETS; index++) {
        seen += counts[index]!
        if (seen >= rank) return bucketMiddleNs(index) / 1e6
      }
      return MAX_NS / 1e6
    },
    reset() {
      counts.fill(0)
      count = 0
    },
  }
}

function bucketIndex(ns: number): number {
  if (ns < SUB_COUNT) return ns
  const exponent = 31 - Math.clz32(ns)
  // The top SUB_BITS + 1 bits of the value: its leading 1 and the sub-bucket within this power of two.
  const mantissa = ns >>> (exponent - SUB_BITS)
  return (exponent - SUB_BITS + 1) * SUB_COUNT + (mantissa - SUB_COUNT)
}

/** The middle of the bucket's value range, in nanoseconds. */
function bucketMiddleNs(index: number): number {
  if (index < SUB_COUNT) return index
  const block = index >> SUB_BITS
  const mantissa = SUB_COUNT + (index & (SUB_COUNT - 1))
  const width = 2 ** (block - 1)
  return mantissa * width + (width - 1) / 2
}
