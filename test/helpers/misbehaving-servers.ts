/**
 * Small real servers that fail on purpose, one way each (docs/faults.md): they listen on
 * 127.0.0.1 port 0 and are closed by the test.
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface TestServer {
  port: number;
  url: string;
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 port 0; `close` destroys every open socket first. */
export function listen(server: HttpServer | NetServer, sockets: Set<Socket>, path = '/'): Promise<TestServer> {
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      resolve({
        port,
        url: `ws://127.0.0.1:${port}${path}`,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

/** A port nothing listens on (bound, then released). */
export async function refusedUrl(): Promise<string> {
  const s = createNetServer();
  const t = await listen(s, new Set());
  await t.close();
  return t.url;
}

/** Accepts TCP and reads the upgrade request, then says nothing. */
export function silentServer(): Promise<TestServer> {
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => socket.resume());
  return listen(server, sockets);
}

/** Answers every upgrade with a plain HTTP status. */
export function statusServer(status: number): Promise<TestServer> {
  const sockets = new Set<Socket>();
  const server = createHttpServer((_req, res) => res.writeHead(status).end('no'));
  server.on('upgrade', (_req, socket: Socket) => {
    socket.end(`HTTP/1.1 ${status} Forbidden\r\nContent-Length: 2\r\nConnection: close\r\n\r\nno`);
  });
  return listen(server, sockets);
}

/**
 * A WebSocket echo server with a hook per message: `onMessage(ws, data, isBinary, n)` where n
 * counts messages on that connection from 1. Returning false suppresses the echo.
 */
export function echoServerWith(
  onMessage: (ws: WebSocket, data: Buffer, isBinary: boolean, n: number) => boolean | undefined,
  options: { onConnection?: (ws: WebSocket, socket: Socket) => void } = {},
): Promise<TestServer> {
  const sockets = new Set<Socket>();
  const http = createHttpServer();
  const wss = new WebSocketServer({ server: http, perMessageDeflate: false });
  wss.on('connection', (ws, req) => {
    let n = 0;
    options.onConnection?.(ws, req.socket);
    ws.on('message', (data: Buffer, isBinary) => {
      n++;
      if (onMessage(ws, data, isBinary, n) !== false && ws.readyState === ws.OPEN) ws.send(data, { binary: isBinary });
    });
    ws.on('error', () => {});
  });
  return listen(http, sockets);
}

/** Echoes, but holds every reply back between `stallAtMs` and `stallAtMs + stallMs` after the first message. */
export function stallingEchoServer(stallAtMs: number, stallMs: number): Promise<TestServer> {
  let firstAt = 0;
  return echoServerWith((ws, data, isBinary) => {
    const now = Date.now();
    firstAt ||= now;
    const resumeAt = firstAt + stallAtMs + stallMs;
    if (now >= firstAt + stallAtMs && now < resumeAt) {
      setTimeout(() => ws.readyState === ws.OPEN && ws.send(data, { binary: isBinary }), resumeAt - now);
      return false;
    }
    return true;
  });
}
