// A TCP proxy between the browser and realtime that the test can cut and restore: to the page it
// is realtime going away (open sockets reset, new ones refused) and coming back on the same address.
import { createServer, type Server, type Socket, connect } from 'node:net'

export interface CuttableProxy {
  /** ws://127.0.0.1:<port>: what the page is told realtime is. */
  url: string
  cut (): Promise<void>
  restore (): Promise<void>
  close (): Promise<void>
}

export async function cuttableProxy (target: { host: string, port: number }): Promise<CuttableProxy> {
  const sockets = new Set<Socket>()
  let server: Server
  const listen = (port: number) => new Promise<number>((resolve, reject) => {
    server = createServer((client) => {
      const upstream = connect(target.port, target.host)
      for (const s of [client, upstream]) { sockets.add(s); s.on('close', () => sockets.delete(s)); s.on('error', () => {}) }
      client.pipe(upstream).pipe(client)
      client.on('close', () => upstream.destroy())
      upstream.on('close', () => client.destroy())
    })
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => {
      const address = server.address()
      resolve(typeof address === 'object' && address ? address.port : 0)
    })
  })
  const stop = () => new Promise<void>((resolve) => {
    for (const s of sockets) s.resetAndDestroy()
    sockets.clear()
    server.close(() => resolve())
  })
  const port = await listen(0)
  let up = true
  return {
    url: `ws://127.0.0.1:${port}`,
    cut: async () => { if (up) { up = false; await stop() } },
    restore: async () => { if (!up) { up = true; await listen(port) } },
    close: async () => { if (up) { up = false; await stop() } }
  }
}
