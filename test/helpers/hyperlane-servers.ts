/** Reference servers in the `hyperlane` profile and raw clients to them, tracked so a test file can close them all. */
import { startReferenceServer } from '../../dist/server/reference-server.js';
import type { RunningServer } from '../../dist/server/running-server.js';
import { rawWebSocket, type RawWsClient } from './raw-ws.js';

/** Starts and connects through the returned functions; `closeAll` (for afterEach) destroys every client, then closes every server. */
export function hyperlaneServers(): {
  start: (opts?: Parameters<typeof startReferenceServer>[0]) => Promise<RunningServer>;
  connect: (server: RunningServer, path?: string, opts?: Parameters<typeof rawWebSocket>[2]) => Promise<RawWsClient>;
  closeAll: () => Promise<void>;
} {
  const servers = new Set<RunningServer>();
  const clients = new Set<RawWsClient>();
  return {
    async start(opts = {}) {
      const server = await startReferenceServer({ port: 0, profile: 'hyperlane', ...opts });
      servers.add(server);
      return server;
    },
    async connect(server, path = '/websocket', opts = {}) {
      const c = await rawWebSocket(server.port, path, opts);
      clients.add(c);
      return c;
    },
    async closeAll() {
      for (const c of clients) c.socket.destroy();
      clients.clear();
      await Promise.all([...servers].map((s) => s.close()));
      servers.clear();
    },
  };
}
