/**
 * Options of the reference server, their defaults, and the check that turns a partial option
 * object into a complete one. Kept apart from the server so the embedded launcher and the CLI
 * can import the types without loading `ws`.
 */
import { UsageError } from '../errors.js';

/**
 * Wire behaviours the server can imitate (docs/hyperlane-wire.md §3):
 * - `strict`: RFC 6455 through `ws` (echo keeps the opcode, pongs, close handshake).
 * - `hyperlane`: Hyperlane's habits on `/websocket` and `/broadcast` (opcode by UTF-8 validity,
 *   65,535-byte fragments, no pong, TCP drop instead of a close frame, no fragmented input,
 *   optional idle drop, tokio broadcast with lag), and the seed's SSE stream on `/` too.
 * - `hyperlane-readme`: as `hyperlane`, but the echo (on `/websocket` and the README's `/ws`)
 *   first sends the client's `ip:port`, then answers each message with the
 *   `Sec-WebSocket-Key` and then the body.
 */
export const SERVER_PROFILES = ['strict', 'hyperlane', 'hyperlane-readme'] as const;
/** One of `SERVER_PROFILES`. */
export type ServerProfile = (typeof SERVER_PROFILES)[number];

/**
 * What happens to a broadcast receiver that lags (falls more than the channel's capacity
 * behind): `skip` carries on from the oldest retained message (the docs' example ignores
 * `Lagged`); `disconnect` closes its TCP connection (hyperlane-plugin-websocket).
 */
export const LAG_POLICIES = ['skip', 'disconnect'] as const;
/** One of `LAG_POLICIES`. */
export type LagPolicy = (typeof LAG_POLICIES)[number];

/** Largest `broadcastCapacity` accepted: the ring holds the next power of two of it. */
export const MAX_BROADCAST_CAPACITY = 1 << 20;

/**
 * Largest `processes` accepted. 100,000 connections need six under a 20,000 open-files limit;
 * the bound only stops a typo from forking hundreds.
 */
export const MAX_SERVER_PROCESSES = 64;

/** Everything the reference server can be told. Times are milliseconds, sizes bytes. */
export interface ReferenceServerOptions {
  /** Address to bind. Default `127.0.0.1` (loopback: the server is a test target, not a service). */
  host: string;
  /** TCP port. Default 60000 (Hyperlane's port); 0 picks a free port. */
  port: number;
  /**
   * Delay before each `/websocket` echo reply, every message on its own (pipelined, a slow
   * handler with nothing queued behind it). Default 0 (reply at once).
   */
  echoDelayMs: number;
  /**
   * Serial echo: wait the delay, answer, then read the connection's next message, so a
   * connection is answered at most 1000/echoDelayMs times a second (capacity tests). Default false.
   */
  echoSerial: boolean;
  /** Period of the server-side `/broadcast` publisher of stamped messages. Default 0 (off). */
  publishIntervalMs: number;
  /**
   * Events sent on `/sse` (and on `/` in the Hyperlane profiles) before the connection is
   * closed. Default 10 (the seed's count).
   */
  sseCount: number;
  /**
   * Time between those events. Default 1000 (the seed's); 0 sends them in one burst, as current
   * Hyperlane does (`rtbench serve --sse-burst`).
   */
  sseIntervalMs: number;
  /** Time between `/sse/ticks` events. Default 100; must be > 0. */
  ticksIntervalMs: number;
  /** The `retry:` value sent first on `/sse/ticks`. Default 1000. */
  ticksRetryMs: number;
  /**
   * A client whose unsent bytes exceed this is skipped (the message is counted in
   * `msgs_dropped_slow`) so that one slow reader cannot stall the others. Default 1 MiB.
   */
  slowClientLimitBytes: number;
  /**
   * Largest incoming WebSocket message: a larger one closes the connection with 1009 (Hyperlane
   * profiles: drops it) and counts in `msgs_too_large`. Default 16 MiB, the largest echo the
   * fault catalogue asks for (docs/faults.md #12); well below ws's 100 MiB, which let one frame
   * cost the server ~290 MB.
   */
  maxMessageBytes: number;
  /**
   * Accept WebSocket upgrades that carry an `Origin` header (sent by browsers). Default false: a
   * web page could otherwise drive a local test server from the user's browser.
   */
  allowOrigin: boolean;
  /**
   * Close a WebSocket connection that sends nothing for this long (strict: close 1001; Hyperlane
   * profiles: TCP drop, as `idleDropMs`), counted in `idle_closed`. Default 0 (off).
   */
  idleTimeoutMs: number;
  /** Wire behaviour to imitate (see `SERVER_PROFILES`). Default `strict`. */
  profile: ServerProfile;
  /**
   * Hyperlane profiles: a WebSocket connection that receives no data for this long is dropped
   * (TCP close, no close frame), as Hyperlane's read timeout T does after T/2. Default 0 (off,
   * like `RequestConfig::low_security()`); 3000 imitates `RequestConfig::default()`.
   */
  idleDropMs: number;
  /**
   * Hyperlane profiles: capacity of the `/broadcast` channel, in messages. Default 100 (the
   * seed's `broadcast::channel(100)`); as in tokio the ring holds the next power of two.
   */
  broadcastCapacity: number;
  /** Hyperlane profiles: what a lagging `/broadcast` receiver gets. Default `skip`. */
  lagPolicy: LagPolicy;
  /**
   * Worker processes that accept connections on the one port (cluster/primary.ts). Default 1:
   * the server runs in the calling process. With N > 1 the calling process becomes a primary that
   * only coordinates (it never accepts), so each worker has its own open-files budget; broadcasts
   * and the publisher reach every client through a relay, and `/stats` adds up every process.
   */
  processes: number;
  /**
   * With `processes` > 1: a worker stops accepting once it holds this many sockets, and starts
   * again below 95% of it, so that no worker runs out of file descriptors while others have room
   * (the kernel spreads accepts over the workers unevenly). Default 0: the open-files limit less
   * 200 descriptors kept for the process's own use (19,800 under a limit of 20,000).
   */
  maxConnectionsPerProcess: number;
}

/** The values used for options that are not given. */
export const DEFAULT_SERVER_OPTIONS: Readonly<ReferenceServerOptions> = Object.freeze({
  host: '127.0.0.1',
  port: 60000,
  echoDelayMs: 0,
  echoSerial: false,
  publishIntervalMs: 0,
  sseCount: 10,
  sseIntervalMs: 1000,
  ticksIntervalMs: 100,
  ticksRetryMs: 1000,
  slowClientLimitBytes: 1024 * 1024,
  maxMessageBytes: 16 * 1024 * 1024,
  allowOrigin: false,
  idleTimeoutMs: 0,
  profile: 'strict',
  idleDropMs: 0,
  broadcastCapacity: 100,
  lagPolicy: 'skip',
  processes: 1,
  maxConnectionsPerProcess: 0,
});

type NumericOption = Exclude<keyof ReferenceServerOptions, 'host' | 'profile' | 'lagPolicy' | 'echoSerial' | 'allowOrigin'>;

/** Rules per numeric option: the smallest allowed value and whether it must be whole. */
const NUMERIC_RULES: Record<NumericOption, { min: number; integer: boolean }> = {
  port: { min: 0, integer: true },
  echoDelayMs: { min: 0, integer: false },
  publishIntervalMs: { min: 0, integer: false },
  sseCount: { min: 0, integer: true },
  sseIntervalMs: { min: 0, integer: false },
  ticksIntervalMs: { min: 0.001, integer: false },
  ticksRetryMs: { min: 0, integer: true },
  slowClientLimitBytes: { min: 0, integer: true },
  maxMessageBytes: { min: 1, integer: true },
  idleTimeoutMs: { min: 0, integer: false },
  idleDropMs: { min: 0, integer: false },
  broadcastCapacity: { min: 1, integer: true },
  processes: { min: 1, integer: true },
  maxConnectionsPerProcess: { min: 0, integer: true },
};

/**
 * Fills in defaults and checks every value, throwing one `UsageError` that lists each bad
 * option (for example `reference server: sseCount must be a whole number >= 0 (got -1)`).
 */
export function resolveServerOptions(opts: Partial<ReferenceServerOptions> = {}): ReferenceServerOptions {
  const defined = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined));
  const resolved: ReferenceServerOptions = { ...DEFAULT_SERVER_OPTIONS, ...defined };
  const problems: string[] = [];
  if (typeof resolved.host !== 'string' || resolved.host === '') {
    problems.push(`host must be a host name or address (got ${JSON.stringify(resolved.host)})`);
  }
  for (const [name, rule] of Object.entries(NUMERIC_RULES) as Array<[NumericOption, { min: number; integer: boolean }]>) {
    const v = resolved[name];
    const ok = typeof v === 'number' && Number.isFinite(v) && v >= rule.min && (!rule.integer || Number.isInteger(v));
    if (!ok) {
      const kind = rule.integer ? 'a whole number' : 'a number';
      const bound = rule.min > 0 && rule.min < 1 ? '> 0' : `>= ${rule.min}`;
      problems.push(`${name} must be ${kind} ${bound} (got ${JSON.stringify(v)})`);
    }
  }
  if (resolved.echoSerial && !(resolved.echoDelayMs > 0)) problems.push('echoSerial needs echoDelayMs > 0 (got 0)');
  if (resolved.port > 65535) problems.push(`port must be at most 65535 (got ${resolved.port})`);
  if (resolved.broadcastCapacity > MAX_BROADCAST_CAPACITY) {
    problems.push(`broadcastCapacity must be at most ${MAX_BROADCAST_CAPACITY} (got ${resolved.broadcastCapacity})`);
  }
  if (resolved.processes > MAX_SERVER_PROCESSES) {
    problems.push(`processes must be at most ${MAX_SERVER_PROCESSES} (got ${resolved.processes})`);
  }
  if (resolved.maxConnectionsPerProcess > 0 && resolved.processes === 1) {
    // One process has no other to take the connections it would turn away.
    problems.push(`maxConnectionsPerProcess needs processes > 1 (got processes 1)`);
  }
  if (!(SERVER_PROFILES as readonly unknown[]).includes(resolved.profile)) {
    problems.push(`profile must be one of ${SERVER_PROFILES.join(', ')} (got ${JSON.stringify(resolved.profile)})`);
  }
  if (!(LAG_POLICIES as readonly unknown[]).includes(resolved.lagPolicy)) {
    problems.push(`lagPolicy must be one of ${LAG_POLICIES.join(', ')} (got ${JSON.stringify(resolved.lagPolicy)})`);
  }
  if (resolved.profile === 'strict') {
    // These only exist in the Hyperlane imitation; accepting them silently under `strict` would
    // let a run believe it was measuring lag or idle drops that never happen.
    if (resolved.idleDropMs > 0) problems.push('idleDropMs needs profile hyperlane or hyperlane-readme (got profile strict)');
    if (defined.broadcastCapacity !== undefined)
      problems.push('broadcastCapacity needs profile hyperlane or hyperlane-readme (got profile strict)');
    if (defined.lagPolicy !== undefined) problems.push('lagPolicy needs profile hyperlane or hyperlane-readme (got profile strict)');
  }
  if (problems.length > 0) throw new UsageError(problems.map((p) => `reference server: ${p}`).join('\n'));
  return resolved;
}
