/** @module The Redis scripts the store runs, with the arguments they take and the replies they give. */
import { wrap } from './envelope.ts'
import type { QueuedItem, WindowTake } from './types.ts'

// unstorage has no set-if-absent (style-anchors.md B2): these go to Redis directly, under the same prefix.
export const DELETE_IF_EQUALS = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`
export const REPLACE_IF_EQUALS = `if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3]) return 1 else return 0 end`
// EXPIRE … NX needs Redis 7; a script sets the window's TTL on creation on any version.
// ARGV: the TTL, then how much (the counter was created by this call when it equals that much).
export const INCREMENT = `local by = tonumber(ARGV[2] or '1') local n = redis.call('INCRBY', KEYS[1], by) if n == by then redis.call('EXPIRE', KEYS[1], ARGV[1]) end return n`
// Sorted sets through EVAL: the same call works over ioredis and the Redis-over-HTTP client.
export const INDEX_ADD = `local n if ARGV[3] == '1' then n = redis.call('ZADD', KEYS[1], 'NX', ARGV[2], ARGV[1]) else n = redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1]) end if tonumber(ARGV[4]) > 0 then redis.call('EXPIRE', KEYS[1], ARGV[4]) end return n`
// The webhook's one write before its answer: a claim and, only when it is taken, a queue's item and its index entry.
// KEYS: claim, index, item. ARGV: the claim's text and TTL, the score and member, the item's text and TTL (0: none).
export const CLAIM_AND_ENQUEUE = `if not redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2], 'NX') then return 0 end
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[4])
if tonumber(ARGV[6]) > 0 then redis.call('SET', KEYS[3], ARGV[5], 'EX', ARGV[6]) else redis.call('SET', KEYS[3], ARGV[5]) end
return 1`
export const INDEX_REMOVE = `return redis.call('ZREM', KEYS[1], ARGV[1])`
// A queue's item and its index entry in one step (Store.dequeue). KEYS: item, index. ARGV: the member.
export const DEQUEUE = `redis.call('DEL', KEYS[1]) redis.call('ZREM', KEYS[2], ARGV[1]) return 1`
export const INDEX_RANGE = `return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', 0, ARGV[2])`
export const INDEX_SCORE = `return redis.call('ZSCORE', KEYS[1], ARGV[1])`
export const INDEX_SIZE = `return redis.call('ZCARD', KEYS[1])`
// A sliding window in a sorted set (member: a unique start, score: its time): the old starts go, one is added
// while the window has room. ARGV: now, span (ms), ceiling, member. Returns {taken, count, wait (ms, as text)}.
export const WINDOW_TAKE = `local now = tonumber(ARGV[1]) local span = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - span)
local n = redis.call('ZCARD', KEYS[1])
if n < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
  redis.call('PEXPIRE', KEYS[1], span)
  return {1, n + 1, '0'}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, n, tostring(tonumber(oldest[2]) + span - now)}`

/** What the window script answered, typed. */
export function parseWindowTake(reply: unknown): WindowTake {
  const [taken, count, wait] = reply as [unknown, unknown, unknown]
  return { taken: Number(taken) === 1, count: Number(count), waitMs: Math.max(0, Number(wait)) }
}

/** CLAIM_AND_ENQUEUE's ARGV: a value in the envelope every other write of the store uses, a text as it is. */
export function claimAndEnqueueArgs(
  claim: { key: string; ttlSeconds: number },
  item: QueuedItem,
  nowMs: number
): Array<string | number> {
  return [
    JSON.stringify(wrap(true, claim.ttlSeconds, nowMs)),
    claim.ttlSeconds,
    item.score,
    item.member,
    item.text ?? JSON.stringify(wrap(item.value, item.ttlSeconds, nowMs)),
    item.ttlSeconds ?? 0,
  ]
}
