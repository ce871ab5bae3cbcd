/**
 * The bundled reference server (docs/architecture.md §9): one HTTP server on one port that routes
 * `/websocket` and `/broadcast` upgrades to strict/ws-endpoints.ts (profile `strict`) or
 * hyperlane/ws-endpoints.ts (profiles `hyperlane`, `hyperlane-readme`), `/sse` and `/sse/ticks`
 * to sse-endpoints.ts, and answers `/stats`. The Hyperlane profiles also serve the seed's SSE
 * stream on `/`, and `hyperlane-readme` its echo on the README's `/ws` as well. Used by
 * `rtbench serve` in the foreground and, in a child process, as the embedded target of
 * `rtbench run` (embedded.ts). A multi-process server runs one `ReferenceApp` per cluster
 * worker (cluster/worker.ts) behind the same port.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { UsageError } from '../errors.js';
import { HyperlaneWsEndpoints } from './hyperlane/ws-endpoints.js';
import { listen } from './listen.js';
import { resolveServerOptions, type ReferenceServerOptions, type ServerProfile } from './options.js';
import { SseEndpoints } from './sse-endpoints.js';
import { serverUrl, type RunningServer } from './running-server.js';
import { StatsBook, type ServerStats } from './stats.js';
import { WsEndpoints } from './strict/ws-endpoints.js';
import type { BroadcastRelay, WsEndpointName, WsEndpointSet } from './ws-endpoint-set.js';
import { settleWithin } from '../waits.js';

export type { LagPolicy, ReferenceServerOptions, ServerProfile } from './options.js';
export type { EndpointName, EndpointStats, ProcessStats, ServerStats } from './stats.js';

/**
 * What a cluster worker adds to the server it runs (cluster/worker.ts): a relay for broadcasts,
 * and `/stats` answered for every process rather than this one.
 */
export interface ClusterHooks {
  relay: BroadcastRelay;
  /** The counters of every process added up, after zeroing them all first when `reset`. */
  collectStats(reset: boolean): Promise<ServerStats>;
}

/** Time clients get to answer the 1001 close before their sockets are destroyed. */
const CLOSE_GRACE_MS = 1000;
/** Time the destroyed sockets get to report 'close', so the final counters include them. */
const CLOSE_DRAIN_MS = 500;

/**
 * Starts the reference server in this process and resolves once it is listening. Rejects with a
 * `UsageError` (exit code 2) for a bad option, for `processes` > 1 (start-server.ts runs
 * those), or when the port is taken. Its `close` resolves within 2 s (clients that do not
 * finish the close handshake in time are cut off); its `stats` never rejects.
 */
export async function startReferenceServer(opts: Partial<ReferenceServerOptions> = {}): Promise<RunningServer> {
  const options = resolveServerOptions(opts);
  if (options.processes > 1) {
    throw new UsageError(
      `startReferenceServer runs one process (got processes ${options.processes}); use startServer from server/start-server.js`,
    );
  }
  const app = new ReferenceApp(options);
  const port = await listen(app.http, options.host, options.port);
  // Accept errors (EMFILE under a connection storm) must not crash the server; the clients
  // see them as refused connections and count them.
  app.http.on('error', () => {});
  app.ws.startPublisher();

  let closed: Promise<ServerStats> | undefined;
  return {
    host: options.host,
    port,
    url: serverUrl(options.host, port),
    profile: options.profile,
    processes: 1,
    pid: process.pid,
    stats: async () => app.stats.snapshot(),
    close: () => (closed ??= app.close()),
    // One process has no worker to lose.
    failure: new Promise<Error>(() => {}),
  };
}

/**
 * The server's endpoints and request routing on an http.Server that is not listening yet:
 * `startReferenceServer` binds it, a cluster worker feeds it the sockets its accept gate takes.
 * Not a handle of its own: callers hold the `RunningServer` of whoever bound it. With `cluster`
 * the `/broadcast` messages of local clients go out through its relay and `/stats` covers every
 * process; the publisher is then the cluster's, so `ws.startPublisher` is not called.
 */
export class ReferenceApp {
  readonly options: ReferenceServerOptions;
  readonly http: Server;
  readonly ws: WsEndpointSet;
  readonly stats: StatsBook;
  private readonly sse: SseEndpoints;
  private isClosing = false;

  constructor(options: ReferenceServerOptions, cluster?: ClusterHooks) {
    this.options = options;
    this.stats = new StatsBook();
    this.ws =
      options.profile === 'strict'
        ? new WsEndpoints(options, this.stats, cluster?.relay)
        : new HyperlaneWsEndpoints(options, this.stats, cluster?.relay);
    this.sse = new SseEndpoints(options, this.stats);
    this.http = createServer();
    this.http.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (this.isClosing) return sendText(res, 503, 'server shutting down', { Connection: 'close' });
      routeRequest(req, res, { stats: this.stats, sse: this.sse, profile: options.profile, collectStats: cluster?.collectStats });
    });
    this.http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const endpoint = wsEndpointAt(pathOf(req.url), options.profile);
      if (this.isClosing) return rejectUpgrade(socket, 503, 'Service Unavailable');
      // Browsers send Origin on every WebSocket upgrade; tools do not unless asked. Refusing it by
      // default stops a web page from driving a local test server through the user's browser.
      if (req.headers.origin !== undefined && !options.allowOrigin) {
        if (endpoint) this.stats[endpoint].upgrades_refused_origin++;
        return rejectUpgrade(socket, 403, 'Forbidden');
      }
      if (endpoint && req.headers.upgrade?.toLowerCase() === 'websocket') return this.ws.handleUpgrade(endpoint, req, socket, head);
      rejectUpgrade(socket, 404, 'Not Found');
    });
    this.http.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
      // Node's default would write a 400 head, which must never land in the middle of a
      // hand-written /sse body; a reset peer needs no answer at all.
      if (err.code === 'ECONNRESET' || !socket.writable || this.sse.ownsSocket(socket)) return void socket.destroy();
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    });
  }

  /**
   * Closes WebSocket clients with 1001 and ends SSE streams, waits up to 1 s for them, cuts off
   * the rest, and resolves with the final counters. Stop accepting before calling it.
   */
  async close(): Promise<ServerStats> {
    this.isClosing = true;
    // A server that never listened (a cluster worker's) calls back at once with
    // ERR_SERVER_NOT_RUNNING; either way it has stopped accepting.
    const serverClosed = new Promise<void>((resolve) => this.http.close(() => resolve()));
    this.sse.endAll();
    const wsClosed = this.ws.closeAll();
    this.http.closeIdleConnections();
    await settleWithin(Promise.all([wsClosed, serverClosed]), CLOSE_GRACE_MS);
    this.ws.terminateAll();
    this.http.closeAllConnections();
    await settleWithin(Promise.all([wsClosed, serverClosed]), CLOSE_DRAIN_MS);
    return this.stats.snapshot();
  }
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
    case '/time':
      // Wall clock with sub-millisecond precision: shards on other hosts measure their clock
      // offset to this server against it (runner/clock-probe.ts).
      if (method !== 'GET') return sendText(res, 405, 'use GET', { Allow: 'GET' });
      return sendJson(res, { wall_ms: performance.timeOrigin + performance.now() });
    case '/stats/reset':
      // POST only: a GET can be triggered by any web page (an <img> tag) or a prefetching proxy.
      if (method !== 'POST') return sendText(res, 405, 'use POST', { Allow: 'POST' });
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
