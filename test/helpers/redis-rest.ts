/** A Redis-over-HTTP endpoint (the Upstash REST protocol: POST a JSON command array) in front of the test Redis. */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Redis } from 'ioredis'
import { TEST_REDIS_URL } from './redis.ts'

export type RedisRest = { url: string; token: string; requests: number; close(): Promise<void> }

export async function startRedisRest(
  token = 'rest-token-for-tests-0123456789'
): Promise<RedisRest> {
  const redis = new Redis(TEST_REDIS_URL)
  const rest: RedisRest = { url: '', token, requests: 0, close: async () => undefined }
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', async () => {
      rest.requests++
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' })
        res.end(JSON.stringify(body))
      }
      if (req.headers.authorization !== `Bearer ${token}`)
        return reply(401, { error: 'Unauthorized' })
      try {
        const [name, ...args] = JSON.parse(Buffer.concat(chunks).toString('utf8')) as string[]
        reply(200, { result: await redis.call(String(name), ...args) })
      } catch (error) {
        reply(400, { error: error instanceof Error ? error.message : String(error) })
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  rest.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  rest.close = async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()))
    await redis.quit()
  }
  return rest
}
