/** Redis over HTTP specifics (the contract suite covers the rest): errors name the command, never the token or URL. */
import { describe, expect, it } from 'vitest'
import { createRedisHttpClient, RedisHttpError } from '../shared/store/redis-http.ts'
import { startRedisRest } from './helpers/redis-rest.ts'

describe('Redis over HTTP client', () => {
  it('should send commands as a JSON array with a bearer token', async () => {
    const rest = await startRedisRest()
    try {
      const client = createRedisHttpClient({ url: `${rest.url}/`, token: rest.token })
      expect(await client.ping()).toBe('PONG')
      expect(rest.requests).toBe(1)
    } finally {
      await rest.close()
    }
  })

  it('should throw a typed error without the token for a refused request', async () => {
    const rest = await startRedisRest()
    try {
      const client = createRedisHttpClient({ url: rest.url, token: 'wrong-token-0123456789' })
      const error = await client.ping().catch((e: unknown) => e)
      expect(error).toBeInstanceOf(RedisHttpError)
      expect((error as RedisHttpError).status).toBe(401)
      expect(String((error as Error).message)).toContain('PING')
      expect(String((error as Error).message)).not.toContain('wrong-token')
      expect(String((error as Error).message)).not.toContain(rest.url)
    } finally {
      await rest.close()
    }
  })
})
