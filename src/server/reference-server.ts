/**
 * The bundled reference server (DESIGN.md §7): one HTTP server on one port that routes
 * `/websocket` and `/broadcast` upgrades to strict/ws-endpoints.ts (profile `strict`) or
 * hyperlane/ws-endpoints.ts (profiles `hyperlane`, `hyperlane-readme`), `/sse` and `/sse/ticks`
 * to sse-endpoints.ts, and answers `/stats`. The Hyperlane profiles also serve the seed's SSE
 * stream on `/`, and `hyperlane-readme` its echo on the README's `/ws` as well. Used by
 * `rtbench serve` in the foreground and, in a child process, as the embedded target of
 * `rtbench run` (embedded.ts). A multi-process server runs one `createReferenceApp` per cluster
 * worker (cluster/worker.ts) behind the same port.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { UsageError } from '../errors.js';
import { HyperlaneWsEndpoints } from './hyperlane/ws-endpoints.js';
import { listen } from './listen.js';
import { resolveServerOptions, type ReferenceServerOptions, type ServerProfile } from './options.js';
import { SseEndpoints } from './sse-endpoints.js';
import { StatsBook, type ServerStats } from './stats.js';
import { WsEndpoints } from './strict/ws-endpoints.js';
import type { BroadcastRelay, WsEndpointName, WsEndpointSet } from './ws-endpoint-set.js';

export type { LagPolicy, ReferenceServerOptions, ServerProfile } from './options.js';
export type { EndpointName, EndpointStats, ProcessStats, ServerStats } from './stats.js';

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

/**
 * What a cluster worker adds to the server it runs (cluster/worker.ts): a relay for broadcasts,
 * and `/stats` answered for every process rather than this one.
 */
export interface ClusterHooks {
  relay: BroadcastRelay;
  /** The counters of every process added up, after zeroing them all first when `reset`. */
  collectStats(reset: boolean): Promise<ServerStats>;
}

/**
 * The server's request handling on an http.Server that is not listening yet: the caller binds
 * it (`startReferenceServer`) or feeds it accepted sockets (a cluster worker's accept gate).
 */
export interface ReferenceApp {
  readonly options: ReferenceServerOptions;
  readonly http: Server;
  readonly ws: WsEndpointSet;
  readonly stats: StatsBook;
  /**
   * Closes WebSocket clients with 1001 and ends SSE streams, waits up to 1 s for them, cuts off
   * the rest, and resolves with the final counters. Stop accepting before calling it.
   */
  close(): Promise<ServerStats>;
}

/** Time clients get to answer the 1001 close before their sockets are destroyed. */
const CLOSE_GRACE_MS = 1000;
/** Time the destroyed sockets get to report 'close', so the final counters include them. */
const CLOSE_DRAIN_MS = 500;

/**
 * Starts the reference server in this process and resolves once it is listening. Rejects with a
 * `UsageError` (exit code 2) for a bad option, for `processes` > 1 (start-server.ts runs
 * those), or when the port is taken.
 */
export async function startReferenceServer(opts: Partial<ReferenceServerOptions> = {}): Promise<ReferenceServer> {
  const options = resolveServerOptions(opts);
  if (options.processes > 1) {
    throw new UsageError(`startReferenceServer runs one process (got processes ${options.processes}); use startServer from server/start-server.js`);
  }
  const app = createReferenceApp(options);
  const port = await listen(app.http, options.host, options.port);
  // Accept errors (EMFILE under a connection storm) must not crash the server; the clients
  // see them as refused connections and count them.
  app.http.on('error', () => {});
  app.ws.startPublisher();

  let closed: Promise<ServerStats> | undefined;
  const host = options.host;
  return {
    host,
    profile: options.profile,
    port,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    stats: () => app.stats.snapshot(),
    close: () => (closed ??= app.close()),
  };
}

/**
 * Builds the endpoints and their http.Server from resolved options. With `cluster` the
 * `/broadcast` messages of local clients go out through its relay and `/stats` covers every
 * process; the publisher is then the cluster's, so `ws.startPublisher` is not called.
 */
export function createReferenceApp(options: ReferenceServerOptions, cluster?: ClusterHooks): ReferenceApp {
  const stats = new StatsBook();
  const ws: WsEndpointSet =
    options.profile === 'strict' ? new WsEndpoints(options, stats, cluster?.relay) : new HyperlaneWsEndpoints(options, stats, cluster?.relay);
  const sse = new SseEndpoints(options, stats);
  let isClosing = false;

  const server = createServer();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (isClosing) return sendText(res, 503, 'server shutting down', { Connection: 'close' });
    routeRequest(req, res, { stats, sse, profile: options.profile, collectStats: cluster?.collectStats });
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

  const close = async (): Promise<ServerStats> => {
    isClosing = true;
    // A server that never listened (a cluster worker's) calls back at once with
    // ERR_SERVER_NOT_RUNNING; either way it has stopped accepting.
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

  return { options, http: server, ws, stats, close };
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
function routeRequest(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: { stats: StatsBook; sse: SseEndpoints; profile: ServerProfile; collectStats: ClusterHooks['collectStats'] | undefined },
): void {
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
      if (ctx.collectStats) return sendCollected(res, ctx.collectStats(false));
      return sendJson(res, ctx.stats.snapshot());
    case '/stats/reset':
      if (method !== 'GET' && method !== 'POST') return sendText(res, 405, 'use GET or POST', { Allow: 'GET, POST' });
      if (ctx.collectStats) return sendCollected(res, ctx.collectStats(true));
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

/** Answers with the counters of every process once the primary has gathered them. */
function sendCollected(res: ServerResponse, stats: Promise<ServerStats>): void {
  stats.then(
    (s) => sendJson(res, s),
    (err: unknown) => sendText(res, 503, `stats unavailable: ${err instanceof Error ? err.message : String(err)}`),
  );
}

function rejectUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.on('error', () => {});
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.once('finish', () => socket.destroy());
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
