/** A loopback TCP proxy a test can stop and restart, to make a real server (Redis) vanish and come back. */
import { createServer, Socket as NetSocket, type Server, type Socket } from 'node:net'

export type TcpProxy = {
  port: number
  stop(): Promise<void>
  start(): Promise<void>
  close(): Promise<void>
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>()
  let server: Server | null = null
  let port = 0
  const listen = () =>
    new Promise<void>((resolve, reject) => {
      const s = createServer((client) => {
        const upstream = new NetSocket()
        sockets.add(client)
        sockets.add(upstream)
        const drop = () => {
          client.destroy()
          upstream.destroy()
          sockets.delete(client)
          sockets.delete(upstream)
        }
        upstream.connect(targetPort, targetHost, () => {
          client.pipe(upstream)
          upstream.pipe(client)
        })
        client.on('error', drop).on('close', drop)
        upstream.on('error', drop).on('close', drop)
      })
      s.once('error', reject)
      s.listen(port, '127.0.0.1', () => {
        const address = s.address()
        port = typeof address === 'object' && address ? address.port : port
        server = s
        resolve()
      })
    })
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy()
      sockets.clear()
      if (!server) return resolve()
      server.close(() => resolve())
      server = null
    })
  await listen()
  return { port, stop, start: listen, close: stop }
}
