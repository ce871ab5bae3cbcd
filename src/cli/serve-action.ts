/**
 * `rtbench serve`: starts the reference server with the flags' settings, prints the ready line
 * and the endpoint URLs on stdout, and on SIGINT or SIGTERM closes it (clients get 1001),
 * prints the final counters and returns `ExitCode.Ok`. A bad flag or a taken port is a
 * `UsageError` (exit 2). With `--processes N` > 1 this process is the cluster primary; if a
 * worker dies the server stops and the command fails with exit code 1.
 */
import { ExitCode, RtbenchError, UsageError } from '../errors.js';
import { retainedMessages } from '../server/hyperlane/tokio-broadcast.js';
import {
  LAG_POLICIES,
  MAX_BROADCAST_CAPACITY,
  MAX_SERVER_PROCESSES,
  SERVER_PROFILES,
  type LagPolicy,
  type ReferenceServerOptions,
  type ServerProfile,
} from '../server/options.js';
import type { ServerStats } from '../server/stats.js';
import { formatDurationMs } from '../units.js';
import { onInterrupt } from './interrupts.js';
import { countFlag, durationFlag, sizeFlag } from './options.js';

/** Runs the server until the first Ctrl-C or SIGTERM (or until it fails); returns the exit code. */
export async function serveAction(args: Record<string, unknown>): Promise<ExitCode> {
  const options = readServeFlags(args);
  const { startServer } = await import('../server/start-server.js');
  const server = await startServer(options);
  printReady(server.host, server.port, options);
  const shutdown = waitForShutdownSignal();
  const outcome = await Promise.race([shutdown.signal, server.failure]);
  if (outcome instanceof Error) {
    shutdown.cancel();
    await server.close();
    throw new RtbenchError(outcome.message, ExitCode.Internal);
  }
  const stats = await server.close();
  shutdown.cancel();
  process.stdout.write(`rtbench serve stopped (${outcome}): ${summarise(stats)}\n${JSON.stringify(stats)}\n`);
  return ExitCode.Ok;
}

/** Turns the parsed flags into server options; each bad value is a `UsageError` naming its flag. */
function readServeFlags(args: Record<string, unknown>): Partial<ReferenceServerOptions> {
  const host = args.host;
  if (typeof host !== 'string' || host.trim() === '') {
    throw new UsageError(`--host must be a host name or address (got ${JSON.stringify(host)})`);
  }
  const port = countFlag('port', args.port, { integer: true });
  if (port > 65535) throw new UsageError(`--port must be between 0 and 65535 (got ${JSON.stringify(args.port)})`);
  const processes = countFlag('processes', args.processes, { integer: true, min: 1 });
  if (processes > MAX_SERVER_PROCESSES) {
    throw new UsageError(`--processes must be at most ${MAX_SERVER_PROCESSES} (got ${JSON.stringify(args.processes)})`);
  }
  const ticksIntervalMs = durationFlag('ticks-interval', args['ticks-interval']);
  if (ticksIntervalMs <= 0) {
    throw new UsageError(`--ticks-interval must be longer than 0 (got ${JSON.stringify(args['ticks-interval'])})`);
  }
  const sseIntervalMs = durationFlag('sse-interval', args['sse-interval']);
  const isSseBurst = args['sse-burst'] === true;
  if (isSseBurst && sseIntervalMs > 0 && args['sse-interval'] !== '1s') {
    throw new UsageError(`--sse-burst sends the events back to back; drop --sse-interval (got ${JSON.stringify(args['sse-interval'])})`);
  }
  const echoDelayMs = durationFlag('echo-delay', args['echo-delay']);
  const echoSerial = args['echo-serial'] === true;
  if (echoSerial && echoDelayMs <= 0)
    throw new UsageError('--echo-serial makes --echo-delay serial; give --echo-delay too (e.g. --echo-delay 5ms --echo-serial)');
  return {
    host: host.trim(),
    port,
    processes,
    echoDelayMs,
    echoSerial,
    publishIntervalMs: durationFlag('publish-interval', args['publish-interval']),
    sseCount: countFlag('sse-count', args['sse-count'], { integer: true }),
    sseIntervalMs: isSseBurst ? 0 : sseIntervalMs,
    ticksIntervalMs,
    ticksRetryMs: Math.round(durationFlag('ticks-retry', args['ticks-retry'])),
    slowClientLimitBytes: sizeFlag('slow-client-limit', args['slow-client-limit']),
    maxMessageBytes: positiveSize('max-message', args['max-message']),
    allowOrigin: args['allow-origin'] === true,
    idleTimeoutMs: durationFlag('idle-timeout', args['idle-timeout']),
    ...readProfileFlags(args),
  };
}

/** The profile and the flags that only the Hyperlane profiles understand. */
function readProfileFlags(args: Record<string, unknown>): Partial<ReferenceServerOptions> {
  const profile = oneOf('profile', args.profile, SERVER_PROFILES) as ServerProfile;
  const idleDropMs = durationFlag('idle-drop', args['idle-drop']);
  const given = args['broadcast-capacity'];
  const broadcastCapacity = given === undefined ? undefined : countFlag('broadcast-capacity', given, { integer: true, min: 1 });
  if (broadcastCapacity !== undefined && broadcastCapacity > MAX_BROADCAST_CAPACITY) {
    throw new UsageError(`--broadcast-capacity must be at most ${MAX_BROADCAST_CAPACITY} (got ${JSON.stringify(given)})`);
  }
  const lagPolicy = args['lag-policy'] === undefined ? undefined : (oneOf('lag-policy', args['lag-policy'], LAG_POLICIES) as LagPolicy);
  if (profile === 'strict') {
    // Silently ignoring these would let a run believe it measured lag or idle drops.
    const hyperlaneOnly = [
      idleDropMs > 0 && '--idle-drop',
      broadcastCapacity !== undefined && '--broadcast-capacity',
      lagPolicy && '--lag-policy',
    ];
    const flag = hyperlaneOnly.find((f): f is string => typeof f === 'string');
    if (flag) throw new UsageError(`${flag} needs --profile hyperlane or hyperlane-readme (the strict profile has no such behaviour)`);
  }
  return { profile, idleDropMs, broadcastCapacity, lagPolicy };
}

function positiveSize(flag: string, value: unknown): number {
  const bytes = sizeFlag(flag, value);
  if (bytes < 1) throw new UsageError(`--${flag} must be at least 1 byte (got ${JSON.stringify(value)})`);
  return bytes;
}

function oneOf(flag: string, value: unknown, allowed: readonly string[]): string {
  if (typeof value !== 'string' || !allowed.includes(value)) {
    throw new UsageError(`--${flag} must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`);
  }
  return value;
}

function printReady(host: string, port: number, o: Partial<ReferenceServerOptions>): void {
  const h = host.includes(':') ? `[${host}]` : host;
  const base = `${h}:${port}`;
  const publisher = o.publishIntervalMs ? `, publisher every ${formatDurationMs(o.publishIntervalMs)}` : '';
  const delay = o.echoDelayMs
    ? ` after ${formatDurationMs(o.echoDelayMs)}${o.echoSerial ? ', serially (one message at a time per connection)' : ''}`
    : '';
  const sse =
    `${o.sseCount} events (data:i), ` +
    `${o.sseIntervalMs ? `${formatDurationMs(o.sseIntervalMs)} apart` : 'in one burst'}` +
    `, then close`;
  const profile = o.profile ?? 'strict';
  const processes = o.processes ?? 1;
  // With one process the line ends with the port: scripts wait for it with `...:(\d+)$`.
  const lines = [`rtbench serve ready on ${host}:${port}${processes > 1 ? ` (${processes} processes + 1 primary)` : ''}`];
  if (profile === 'strict') {
    lines.push(`  ws://${base}/websocket     echo${delay}`, `  ws://${base}/broadcast     every message to every client${publisher}`);
  } else {
    const capacity = o.broadcastCapacity ?? 100;
    const idle = o.idleDropMs ? `; idle clients dropped after ${formatDurationMs(o.idleDropMs)}` : '';
    const lag = o.lagPolicy === 'disconnect' ? 'are disconnected' : 'skip what they lost';
    lines.push(
      `  profile ${profile}: no pong, TCP drop instead of close frames, replies split at 65535 bytes, no fragmented input${idle}`,
      profile === 'hyperlane-readme'
        ? `  ws://${base}/websocket, /ws  address first, then key + body per message${delay}`
        : `  ws://${base}/websocket     echo, opcode by UTF-8 validity${delay}`,
      `  ws://${base}/broadcast     tokio broadcast, capacity ${capacity} ` +
        `(holds ${retainedMessages(capacity)}); lagging receivers ${lag}${publisher}`,
      `  http://${base}/            ${sse}`,
    );
  }
  lines.push(
    `  http://${base}/sse         ${sse}`,
    `  http://${base}/sse/ticks   stamped events every ${formatDurationMs(o.ticksIntervalMs ?? 0)} (?count= ?interval=, Last-Event-ID)`,
    `  http://${base}/stats       counters as JSON (POST /stats/reset zeroes them)`,
  );
  const limits = [`messages up to ${formatBytes(o.maxMessageBytes)}`, `reads paused past ${formatBytes(o.slowClientLimitBytes)} unsent`];
  if (o.idleTimeoutMs) limits.push(`idle clients closed after ${formatDurationMs(o.idleTimeoutMs)}`);
  limits.push(o.allowOrigin ? 'browser Origins accepted' : 'browser Origins refused (--allow-origin)');
  lines.push(`  limits: ${limits.join('; ')}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

/**
 * `signal` resolves with the first SIGINT or SIGTERM (the server then closes); a second one
 * quits at once, as in every command (interrupts.ts). `cancel` removes the handlers.
 */
function waitForShutdownSignal(): { signal: Promise<NodeJS.Signals>; cancel: () => void } {
  let cancel = (): void => {};
  const signal = new Promise<NodeJS.Signals>((resolve) => {
    cancel = onInterrupt(resolve);
  });
  return { signal, cancel };
}

function formatBytes(n: number | undefined): string {
  const b = n ?? 0;
  if (b >= 1024 * 1024 && b % (1024 * 1024) === 0) return `${b / (1024 * 1024)} MiB`;
  if (b >= 1024 && b % 1024 === 0) return `${b / 1024} KiB`;
  return `${b} B`;
}

function summarise(s: ServerStats): string {
  const parts = [
    `${s.connections_accepted} connections`,
    `${s.msgs_received} msgs received`,
    `${s.msgs_sent} sent`,
    `${s.msgs_dropped_slow} dropped (slow clients)`,
    `${s.sse_events_sent} SSE events`,
  ];
  if (s.msgs_skipped_lagged > 0) parts.push(`${s.msgs_skipped_lagged} skipped (lagging receivers)`);
  if (s.msgs_too_large > 0) parts.push(`${s.msgs_too_large} refused (too large)`);
  if (s.reads_paused > 0) parts.push(`reads paused ${s.reads_paused} times (clients not reading)`);
  if (s.upgrades_refused_origin > 0) parts.push(`${s.upgrades_refused_origin} upgrades refused (browser Origin)`);
  if (s.idle_closed > 0) parts.push(`${s.idle_closed} closed idle`);
  return parts.join(', ');
}
