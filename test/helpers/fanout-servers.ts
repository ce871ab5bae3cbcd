/**
 * Small real servers and a proxy for the fan-out tests, each misbehaving one known way:
 * a relay that drops, repeats and reorders deliveries per subscriber; a server whose own
 * publisher sends scripted seqs; and a TCP proxy that stops reading from the server for a
 * while, so the server sees that subscriber as slow (docs/faults.md #14). All listen on
 * 127.0.0.1 port 0 and are closed by the test.
 */
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer as createNetServer, type Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { listen, type TestServer } from './misbehaving-servers.js';

export type FanoutTestServer = TestServer;

/** What {@link injectingRelay} does to the n-th message (from 1) it relays to each client. */
export interface Injections {
  drop?: number[];
  duplicate?: number[];
  /** Hold this one back and send it right after the next. */
  swapWithNext?: number[];
  /** Do not relay a message to its sender. */
  excludeSender?: boolean;
}

/**
 * A broadcast relay (every message to every client, as /broadcast does) that drops, repeats
 * or reorders the n-th message relayed to each client, counting per client.
 */
export function injectingRelay(inject: Injections): Promise<FanoutTestServer> {
  const sockets = new Set<Socket>();
  const http = createHttpServer();
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
  const clients = new Map<WebSocket, { n: number; held?: Buffer }>();
  wss.on('connection', (ws) => {
    clients.set(ws, { n: 0 });
    ws.on('error', () => {});
    ws.on('close', () => clients.delete(ws));
    ws.on('message', (data: Buffer, isBinary) => {
      for (const [client, state] of clients) {
        if (inject.excludeSender && client === ws) continue;
        const n = ++state.n;
        const send = (b: Buffer) => client.readyState === client.OPEN && client.send(b, { binary: isBinary });
        if (inject.drop?.includes(n)) continue;
        if (inject.swapWithNext?.includes(n)) {
          state.held = data;
          continue;
        }
        send(data);
        if (inject.duplicate?.includes(n)) send(data);
        if (state.held) {
          send(state.held);
          state.held = undefined;
        }
      }
    });
  });
  return listen(http, sockets, '/room');
}

/** One connection's script for {@link scriptedPublisher}. */
export interface Script {
  seqs: number[];
  /** Close with 1000 after the last message (a normal end). */
  closeAfter?: boolean;
}

/**
 * A server whose own publisher sends `{"seq":n,"t":<hrtime ns>}` (t alternately a string and a
 * number), with scripted seqs per connection in the order connections arrive: `startMs` after
 * each connection opens, one message every `gapMs`.
 */
export function scriptedPublisher(scripts: Script[], startMs: number, gapMs: number): Promise<FanoutTestServer> {
  const sockets = new Set<Socket>();
  const http = createHttpServer();
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
  let connection = 0;
  const timers = new Set<NodeJS.Timeout>();
  wss.on('connection', (ws) => {
    ws.on('error', () => {});
    const script = scripts[connection++ % scripts.length]!;
    script.seqs.forEach((seq, i) => {
      const timer = setTimeout(
        () => {
          timers.delete(timer);
          if (ws.readyState !== ws.OPEN) return;
          const t = process.hrtime.bigint();
          ws.send(i % 2 === 0 ? `{"seq":${seq},"t":"${t}"}` : `{"seq":${seq},"t":${t}}`);
          if (script.closeAfter && i === script.seqs.length - 1) ws.close(1000, 'stream over');
        },
        startMs + i * gapMs,
      );
      timers.add(timer);
    });
  });
  return listen(http, sockets, '/stream').then((s) => ({
    ...s,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      await s.close();
    },
  }));
}

/**
 * A TCP proxy to `upstreamPort` that, once `pauseAfterBytes` have come from upstream on a
 * connection, stops reading from upstream for `pauseMs`: the server's writes to that client
 * back up as they would for a slow reader, while the client side stays healthy.
 */
export function slowReadingProxy(
  upstreamPort: number,
  pauseAfterBytes: number,
  pauseMs: number,
): Promise<FanoutTestServer & { pauses: number }> {
  const sockets = new Set<Socket>();
  const stats = { pauses: 0 };
  const timers = new Set<NodeJS.Timeout>();
  const server = createNetServer((client) => {
    const upstream = connect({ port: upstreamPort, host: '127.0.0.1' });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    let bytes = 0;
    let hasPaused = false;
    client.on('data', (c) => upstream.write(c));
    upstream.on('data', (c: Buffer) => {
      client.write(c);
      bytes += c.length;
      if (!hasPaused && bytes >= pauseAfterBytes) {
        hasPaused = true;
        stats.pauses++;
        upstream.pause();
        const timer = setTimeout(() => {
          timers.delete(timer);
          upstream.resume();
        }, pauseMs);
        timers.add(timer);
      }
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  return listen(server, sockets, '/broadcast').then((s) => ({
    ...s,
    get pauses() {
      return stats.pauses;
    },
    close: async () => {
      for (const t of timers) clearTimeout(t);
      await s.close();
    },
  }));
}
