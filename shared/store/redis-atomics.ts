/** @module The store's atomics over Redis commands: SET NX EX for claims, the scripts of redis-scripts.ts for the rest. */
import { type RedisLike, type StoreAtomics, windowMember } from './atomics.ts'
import { wrap } from './envelope.ts'
import {
  CLAIM_AND_ENQUEUE,
  claimAndEnqueueArgs,
  DELETE_IF_EQUALS,
  DEQUEUE,
  INCREMENT,
  INDEX_ADD,
  INDEX_RANGE,
  INDEX_REMOVE,
  INDEX_SCORE,
  INDEX_SIZE,
  parseWindowTake,
  REPLACE_IF_EQUALS,
  WINDOW_TAKE,
} from './redis-scripts.ts'
import type { SortedEntry } from './types.ts'

export function createRedisAtomics(
  redis: RedisLike,
  prefix: string,
  now: () => number
): StoreAtomics {
  const k = (key: string) => `${prefix}:${key}`
  return {
    async setIfAbsent(key, value, ttlSeconds) {
      const marker = JSON.stringify(wrap(value, ttlSeconds, now()))
      return (await redis.set(k(key), marker, 'EX', ttlSeconds, 'NX')) === 'OK' ? marker : null
    },
    async deleteIfEquals(key, marker) {
      return Number(await redis.eval(DELETE_IF_EQUALS, 1, k(key), marker)) === 1
    },
    async replaceIfEquals(key, marker, value, ttlSeconds) {
      const next = JSON.stringify(wrap(value, ttlSeconds, now()))
      const ok =
        Number(await redis.eval(REPLACE_IF_EQUALS, 1, k(key), marker, next, ttlSeconds)) === 1
      return ok ? next : null
    },
    async increment(key, ttlSeconds, by) {
      return Number(await redis.eval(INCREMENT, 1, k(key), ttlSeconds, by))
    },
    async sortedAdd(key, member, score, { onlyIfAbsent, ttlSeconds }) {
      const flag = onlyIfAbsent ? '1' : '0'
      const added = await redis.eval(INDEX_ADD, 1, k(key), member, score, flag, ttlSeconds ?? 0)
      return Number(added) === 1
    },
    async sortedRemove(key, member) {
      return Number(await redis.eval(INDEX_REMOVE, 1, k(key), member)) === 1
    },
    async sortedRange(key, maxScore, limit) {
      const max = maxScore === Number.POSITIVE_INFINITY ? '+inf' : maxScore
      const flat = (await redis.eval(INDEX_RANGE, 1, k(key), max, limit)) as unknown[]
      const out: SortedEntry[] = []
      for (let i = 0; i + 1 < flat.length; i += 2)
        out.push({ member: String(flat[i]), score: Number(flat[i + 1]) })
      return out
    },
    async sortedScore(key, member) {
      const score = await redis.eval(INDEX_SCORE, 1, k(key), member)
      return score === null || score === undefined || score === false ? null : Number(score)
    },
    async sortedSize(key) {
      return Number(await redis.eval(INDEX_SIZE, 1, k(key)))
    },
    async windowTake(key, { nowMs, windowMs, ceiling }) {
      const member = windowMember(nowMs)
      return parseWindowTake(
        await redis.eval(WINDOW_TAKE, 1, k(key), nowMs, windowMs, ceiling, member)
      )
    },
    async claimAndEnqueue(claim, item) {
      const args = claimAndEnqueueArgs(claim, item, now())
      const keys = [k(claim.key), k(item.sortedSet), k(item.key)]
      return Number(await redis.eval(CLAIM_AND_ENQUEUE, 3, ...keys, ...args)) === 1
    },
    async dequeue(item) {
      await redis.eval(DEQUEUE, 2, k(item.key), k(item.sortedSet), item.member)
    },
  }
}
