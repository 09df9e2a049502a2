import { delimiter, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  DEFAULT_TEST_REDIS_URL,
  describeTestRedisUrl,
  findOnPath,
  type PlanTestRedisOptions,
  planTestRedis,
  wantedRedisUrl,
} from './redis-plan.ts'

const down = { kind: 'unreachable', reason: 'connect ECONNREFUSED 127.0.0.1:6399' } as const
const options = (overrides: Partial<PlanTestRedisOptions> = {}): PlanTestRedisOptions => ({
  url: 'redis://:s3cret@127.0.0.1:6399/0',
  described: 'redis://127.0.0.1:6399/0',
  ping: down,
  redisServer: '/usr/bin/redis-server',
  ...overrides,
})

describe('planTestRedis', () => {
  it('should use the Redis that answers, credentials and all, even with a redis-server at hand', () => {
    expect(planTestRedis(options({ ping: { kind: 'pong' } }))).toEqual({
      action: 'use',
      url: 'redis://:s3cret@127.0.0.1:6399/0',
    })
  })

  it('should start a throwaway redis-server when none answers and one is installed', () => {
    expect(planTestRedis(options())).toEqual({
      action: 'start',
      wanted: 'redis://127.0.0.1:6399/0',
      redisServer: '/usr/bin/redis-server',
    })
  })

  it('should stop with one line saying how to get Redis when none answers and none is installed', () => {
    const plan = planTestRedis(options({ redisServer: null }))
    expect(plan).toEqual({
      action: 'stop',
      message:
        'npm test needs Redis: none answers at redis://127.0.0.1:6399/0 (connect ECONNREFUSED 127.0.0.1:6399) ' +
        'and redis-server is not installed; apt-get install redis-server, or set REDIS_URL to a Redis that answers',
    })
  })

  it('should stop, not start another, when a Redis answers but refuses the tests: REDIS_URL is wrong', () => {
    const plan = planTestRedis(
      options({ ping: { kind: 'refused', reply: 'WRONGPASS invalid username-password pair' } })
    )
    expect(plan).toEqual({
      action: 'stop',
      message:
        'npm test needs Redis: the one at redis://127.0.0.1:6399/0 refuses the tests ' +
        '("WRONGPASS invalid username-password pair"); fix REDIS_URL',
    })
  })

  it('should never put the password in what it says', () => {
    for (const plan of [
      planTestRedis(options({ redisServer: null })),
      planTestRedis(
        options({ ping: { kind: 'refused', reply: 'NOAUTH Authentication required.' } })
      ),
    ])
      expect(JSON.stringify(plan)).not.toContain('s3cret')
  })
})

describe('wantedRedisUrl', () => {
  it("should take REDIS_URL when set (.ci/run's), the machine's Redis when unset or empty", () => {
    expect(wantedRedisUrl({ REDIS_URL: 'redis://10.0.0.5:6380/3' })).toBe('redis://10.0.0.5:6380/3')
    expect(wantedRedisUrl({})).toBe(DEFAULT_TEST_REDIS_URL)
    expect(wantedRedisUrl({ REDIS_URL: '' })).toBe('redis://127.0.0.1:6379/0')
  })
})

describe('describeTestRedisUrl', () => {
  it('should name host, port and database without credentials', () => {
    expect(describeTestRedisUrl('redis://:p%40ss@redis:6380/2')).toBe('redis://redis:6380/2')
    expect(describeTestRedisUrl('rediss://user:pw@cache.example.com')).toBe(
      'rediss://cache.example.com:6379/0'
    )
  })

  it('should refuse what is no Redis URL', () => {
    expect(describeTestRedisUrl('nonsense')).toBeNull()
    expect(describeTestRedisUrl('http://127.0.0.1:6379')).toBeNull()
  })
})

describe('findOnPath', () => {
  it('should find the first runnable file of that name along PATH, skipping empty entries', () => {
    const runnable = new Set([
      join('/opt/redis/bin', 'redis-server'),
      join('/usr/bin', 'redis-server'),
    ])
    const path = ['', '/home/me/bin', '/opt/redis/bin', '/usr/bin'].join(delimiter)
    expect(findOnPath('redis-server', path, (file) => runnable.has(file))).toBe(
      '/opt/redis/bin/redis-server'
    )
  })

  it('should give null when PATH has none, or is unset', () => {
    expect(findOnPath('redis-server', ['/bin', '/usr/bin'].join(delimiter), () => false)).toBeNull()
    expect(findOnPath('redis-server', undefined, () => true)).toBeNull()
  })
})
