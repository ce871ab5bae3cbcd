/**
 * The bundled reference server (DESIGN.md §7): one HTTP server on one port that routes
 * `/websocket` and `/broadcast` upgrades to ws-endpoints.ts (profile `strict`) or
 * hyperlane-endpoints.ts (profiles `hyperlane`, `hyperlane-readme`), `/sse` and `/sse/ticks` to
 * sse-endpoints.ts, and answers `/stats`. The Hyperlane profiles also serve the seed's SSE
 * stream on `/`, and `hyperlane-readme` its echo on the README's `/ws` as well. Used by
 * `rtbench serve` in the foreground and, in a child process, as the embedded target of
 * `rtbench run` (embedded.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { UsageError } from '../errors.js';
import { HyperlaneWsEndpoints } from './hyperlane-endpoints.js';
import { resolveServerOptions, type ReferenceServerOptions, type ServerProfile } from './options.js';
import { SseEndpoints } from './sse-endpoints.js';
import { StatsBook, type ServerStats } from './stats.js';
import { WsEndpoints, type WsEndpointName, type WsEndpointSet } from './ws-endpoints.js';

export type { LagPolicy, ReferenceServerOptions, ServerProfile } from './options.js';
export type { EndpointName, EndpointStats, ServerStats } from './stats.js';

/** A running reference server. */
export interface ReferenceServer {
  /** The host it was bound to, as given. */
  readonly host: string;
  /** The wire behaviour it imitates. */
  readonly profile: ServerProfile;
  /** The port it listens on (the chosen one when started with port 0). */
  readonly port: number;
  /** `http://host:port`, with IPv6 hosts in brackets; use `ws:` for the WebSocket paths. */
  readonly url: string;
  /** The counters as they are now (the same JSON as `GET /stats`). */
  stats(): ServerStats;
  /**
   * Stops accepting, closes WebSocket clients with 1001, ends SSE streams and resolves with the
   * final counters within 2 s (clients that do not finish the close handshake in time are cut
   * off). Calling it again returns the same promise.
   */
  close(): Promise<ServerStats>;
}

/** Time clients get to answer the 1001 close before their sockets are destroyed. */
const CLOSE_GRACE_MS = 1000;
/** Time the destroyed sockets get to report 'close', so the final counters include them. */
const CLOSE_DRAIN_MS = 500;

/**
 * Starts the reference server and resolves once it is listening. Rejects with a `UsageError`
 * (exit code 2) for a bad option or when the port is taken.
 */
export async function startReferenceServer(opts: Partial<ReferenceServerOptions> = {}): Promise<ReferenceServer> {
  const options = resolveServerOptions(opts);
  const stats = new StatsBook();
  const ws: WsEndpointSet = options.profile === 'strict' ? new WsEndpoints(options, stats) : new HyperlaneWsEndpoints(options, stats);
  const sse = new SseEndpoints(options, stats);
  let isClosing = false;

  const server = createServer();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (isClosing) return sendText(res, 503, 'server shutting down', { Connection: 'close' });
    routeRequest(req, res, { stats, sse, profile: options.profile });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const endpoint = wsEndpointAt(pathOf(req.url), options.profile);
    if (isClosing) return rejectUpgrade(socket, 503, 'Service Unavailable');
    if (endpoint && req.headers.upgrade?.toLowerCase() === 'websocket') return ws.handleUpgrade(endpoint, req, socket, head);
    rejectUpgrade(socket, 404, 'Not Found');
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    // Node's default would write a 400 head, which must never land in the middle of a
    // hand-written /sse body; a reset peer needs no answer at all.
    if (err.code === 'ECONNRESET' || !socket.writable || sse.ownsSocket(socket)) return void socket.destroy();
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });

  const port = await listen(server, options.host, options.port);
  // Accept errors (EMFILE under a connection storm) must not crash the server; the clients
  // see them as refused connections and count them.
  server.on('error', () => {});
  ws.startPublisher();

  let closed: Promise<ServerStats> | undefined;
  const close = async (): Promise<ServerStats> => {
    isClosing = true;
    const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
    sse.endAll();
    const wsClosed = ws.closeAll();
    server.closeIdleConnections();
    await settleWithin(Promise.all([wsClosed, serverClosed]), CLOSE_GRACE_MS);
    ws.terminateAll();
    server.closeAllConnections();
    await settleWithin(Promise.all([wsClosed, serverClosed]), CLOSE_DRAIN_MS);
    return stats.snapshot();
  };

  const host = options.host;
  return {
    host,
    profile: options.profile,
    port,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    stats: () => stats.snapshot(),
    close: () => (closed ??= close()),
  };
}

/** The WebSocket endpoint served at `path` in `profile`, if any. */
function wsEndpointAt(path: string, profile: ServerProfile): WsEndpointName | undefined {
  if (path === '/websocket') return 'websocket';
  if (path === '/broadcast') return 'broadcast';
  // The 2025 README serves its two-replies echo on `/ws`.
  if (path === '/ws' && profile === 'hyperlane-readme') return 'websocket';
  return undefined;
}

/** The plain-HTTP paths. WebSocket paths without an upgrade get 426. */
function routeRequest(req: IncomingMessage, res: ServerResponse, ctx: { stats: StatsBook; sse: SseEndpoints; profile: ServerProfile }): void {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = pathOf(url);
  const method = req.method ?? 'GET';
  if (wsEndpointAt(path, ctx.profile)) {
    return sendText(res, 426, `${path} is a WebSocket endpoint: send an Upgrade request`, {
      Upgrade: 'websocket',
      Connection: 'Upgrade',
    });
  }
  switch (path) {
    case '/':
      // The seed's docs serve the SSE demo at the root; strict keeps `/` a 404.
      if (ctx.profile === 'strict') return sendText(res, 404, `no endpoint at ${path}`);
      if (method !== 'GET') return sendText(res, 405, 'use GET', { Allow: 'GET' });
      return ctx.sse.serveSeed(req);
    case '/sse':
      if (method !== 'GET') return sendText(res, 405, 'use GET', { Allow: 'GET' });
      return ctx.sse.serveSeed(req);
    case '/sse/ticks':
      if (method !== 'GET') return sendText(res, 405, 'use GET', { Allow: 'GET' });
      return ctx.sse.serveTicks(req, res, new URLSearchParams(q === -1 ? '' : url.slice(q + 1)));
    case '/stats':
      if (method !== 'GET') return sendText(res, 405, 'use GET', { Allow: 'GET' });
      return sendJson(res, ctx.stats.snapshot());
    case '/stats/reset':
      if (method !== 'GET' && method !== 'POST') return sendText(res, 405, 'use GET or POST', { Allow: 'GET, POST' });
      ctx.stats.reset();
      return sendJson(res, ctx.stats.snapshot());
    default:
      return sendText(res, 404, `no endpoint at ${path}`);
  }
}

function pathOf(url: string | undefined): string {
  const u = url ?? '/';
  const q = u.indexOf('?');
  return q === -1 ? u : u.slice(0, q);
}

function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers }).end(`${text}\n`);
}

function sendJson(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache' }).end(JSON.stringify(body));
}

function rejectUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.on('error', () => {});
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.once('finish', () => socket.destroy());
}

/** Listens and resolves with the bound port; turns bind errors into one-line usage errors. */
function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      reject(describeListenError(err, host, port));
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host, port });
  });
}

function describeListenError(err: NodeJS.ErrnoException, host: string, port: number): Error {
  switch (err.code) {
    case 'EADDRINUSE':
      return new UsageError(`port ${port} on ${host} is already in use (try --port 0)`);
    case 'EACCES':
      return new UsageError(`no permission to listen on port ${port} on ${host} (try a port above 1023, or --port 0)`);
    case 'EADDRNOTAVAIL':
      return new UsageError(`cannot listen on ${host}: it is not an address of this machine (try --host 127.0.0.1)`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new UsageError(`cannot resolve host ${host} (try --host 127.0.0.1)`);
    default:
      return err;
  }
}

/** Waits for `promise` or `ms`, whichever comes first, leaving no timer behind. */
async function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  try {
    await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
