/**
 * Layers command-line overrides on a validated scenario and produces the frozen RunPlan
 * (defaults < scenario file < flags, as k6 does). Flag conflicts are usage errors.
 */
import { redactText } from '../redact.js';
import { UsageError } from '../errors.js';
import { formatDurationMs } from '../units.js';
import type { ServerProfile } from '../server/options.js';
import type { RunPlan } from './plan.js';
import { type Shard, shardLabel, shardShare, WHOLE_RUN } from './shard.js';
import type { LoadModel, Scenario, SseClient } from './types.js';
import { checkScheme, checkUrlSyntax, DEFAULT_MAX_IN_FLIGHT, isSubscriberOnly } from './validate.js';

/** What the command line may override. Absent fields leave the scenario as it is. */
export interface RunOverrides {
  target?: string;
  connections?: number;
  connectRatePerSec?: number;
  ratePerSec?: number;
  arrival?: 'uniform' | 'poisson';
  maxInFlight?: number;
  inFlight?: number;
  thinkTimeMs?: number;
  durationMs?: number;
  warmupMs?: number;
  sizeBytes?: number;
  binary?: boolean;
  handshakeTimeoutMs?: number;
  replyTimeoutMs?: number;
  maxOutstanding?: number;
  maxMessageBytes?: number;
  /** `--reconnect` / `--no-reconnect`: WebSocket reconnects, and SSE streams' browser-style reconnects. */
  reconnect?: boolean;
  /** `--sse-client`: the client every SSE group runs. */
  sseClient?: SseClient;
  headers?: Record<string, string>;
  subprotocols?: string[];
  origin?: string;
  insecure?: boolean;
  deflate?: boolean;
  expectReplies?: number;
  skipFirst?: number;
  thresholds?: string[];
  workers?: number;
  echoDelayMs?: number;
  echoSerial?: boolean;
  /** `--server`: a command that starts the target (`{port}` becomes a free loopback port). */
  serverCommand?: string;
  serverReadyTimeoutMs?: number;
  /** `--server-url`: where a --server command listens when it names no {port}. */
  serverUrl?: string;
  /** `--server-pid`: the target's process, sampled for CPU and memory. */
  serverPid?: number;
  /** `--server-cpus`, `--client-cpus`: taskset CPU lists. */
  serverCpus?: string;
  clientCpus?: string;
  serverProfile?: ServerProfile;
  sourceIps?: string[];
  /** `--shard i/N`, `--shard-from-env`: this process runs its share of every phase. */
  shard?: Shard;
  /** `--start-at`: epoch ms at which the first phase's load starts. */
  startAtMs?: number;
}

/** File descriptors a process keeps for itself (stdio, IPC, event loop, libraries). */
export const RESERVED_FDS = 200;

/** Default worker count: measured on a 2-core box with the server beside it, one beats two. */
export function defaultWorkerCount(cores: number, embedded: boolean): number {
  const forGenerator = embedded ? Math.floor(cores / 2) : cores - 1;
  return Math.max(1, forGenerator);
}

/**
 * Builds the RunPlan. With several phases, -c, -d and the load flags apply to every phase.
 */
export function resolvePlan(scenario: Scenario, o: RunOverrides, cores: number, openFilesLimit?: number): RunPlan {
  if (o.ratePerSec !== undefined && o.inFlight !== undefined) {
    throw new UsageError('--rate and --in-flight exclude each other: --rate makes the run open loop, --in-flight closed loop');
  }
  // Fan-out: publishers send at a rate, and in a scenario whose every group only subscribes
  // the one rate there is is the server's own publish rate (`--rate` sets it, embedded only).
  const subscriberOnly = isSubscriberOnly(scenario.groups);
  const publisher = scenario.groups.find((g) => g.role === 'publisher' || g.role === 'pubsub');
  if (o.inFlight !== undefined && (subscriberOnly || publisher)) {
    throw new UsageError(
      subscriberOnly
        ? `--in-flight: no connection of scenario '${scenario.name}' sends (every group only subscribes)`
        : `--in-flight: group "${publisher!.name}" publishes (role "${publisher!.role}"), ` +
            `and publishers send at a rate, not on replies; use --rate`,
    );
  }
  const s: Scenario = structuredClone(scenario);
  if (o.target !== undefined) {
    const issues: string[] = [];
    const r = { fail: (path: string, message: string) => void issues.push(`${path} ${message}`) };
    const url = checkUrlSyntax(r, o.target, '--target');
    s.groups.forEach((g) => {
      if (url && !g.targetUrl && !checkScheme(r, url, '--target', g.protocol) && s.groups.length > 1) {
        issues.push(`  (group "${g.name}" speaks ${g.protocol}; give it its own target in the scenario file)`);
      }
    });
    if (!url || issues.length > 0) throw new UsageError(issues.join('\n'));
    s.targetUrl = url;
  }
  for (const phase of s.phases) {
    if (o.connections !== undefined) phase.connections = o.connections;
    if (o.connectRatePerSec !== undefined) phase.connectRatePerSec = o.connectRatePerSec;
    if (o.durationMs !== undefined) phase.durationMs = o.durationMs;
    if (!subscriberOnly) phase.load = overrideLoad(phase.load, o);
  }
  if (o.warmupMs !== undefined) s.warmupMs = o.warmupMs;
  for (const g of s.groups) {
    if (o.sizeBytes !== undefined) g.message.sizeBytes = o.sizeBytes;
    if (o.binary !== undefined) g.message.binary = o.binary;
    if (o.expectReplies !== undefined) g.replies.perMessage = o.expectReplies;
    if (o.skipFirst !== undefined) g.replies.skipFirst = o.skipFirst;
    if (g.sse && o.reconnect !== undefined) g.sse.reconnect = o.reconnect;
    if (g.sse && o.sseClient !== undefined) g.sse.client = o.sseClient;
  }
  const c = s.connection;
  if (o.handshakeTimeoutMs !== undefined) c.handshakeTimeoutMs = o.handshakeTimeoutMs;
  if (o.replyTimeoutMs !== undefined) c.replyTimeoutMs = o.replyTimeoutMs;
  if (o.maxOutstanding !== undefined) c.maxOutstanding = o.maxOutstanding;
  if (o.maxMessageBytes !== undefined) c.maxMessageBytes = c.maxEventBytes = o.maxMessageBytes;
  if (o.reconnect !== undefined) c.reconnect = o.reconnect;
  if (o.headers) c.headers = { ...c.headers, ...o.headers };
  if (o.subprotocols?.length) c.subprotocols = o.subprotocols;
  if (o.origin !== undefined) c.origin = o.origin;
  if (o.insecure !== undefined) c.insecure = o.insecure;
  if (o.deflate !== undefined) c.deflate = o.deflate;
  if (o.thresholds?.length) s.thresholds = [...s.thresholds, ...o.thresholds];
  for (const p of s.phases) {
    const depth = p.load?.kind === 'closed' ? p.load.inFlight : (p.load?.maxInFlight ?? 0);
    if (depth > c.maxOutstanding) {
      throw new UsageError(
        `${p.load?.kind === 'closed' ? '--in-flight' : '--max-in-flight'} ${depth} exceeds ` +
          `--max-outstanding ${c.maxOutstanding} (the per-connection bound on messages awaiting a reply)`,
      );
    }
  }
  // Streams that do not reconnect end once, by the server's design: when no group reconnects,
  // the last end leaves nothing to measure, so each phase stops there (-d an upper bound).
  if (s.groups.every((g) => g.sse?.reconnect === false)) for (const p of s.phases) p.untilStreamsEnd = true;

  const first = s.phases[0];
  const notes: string[] = [];
  if (first && s.warmupMs >= first.durationMs && o.durationMs !== undefined && o.warmupMs === undefined && s.warmupMs > 0) {
    // A short -d on a scenario with a warm-up: measure everything rather than refuse.
    notes.push(
      `the scenario's ${formatDurationMs(s.warmupMs)} warm-up does not fit in --duration ${formatDurationMs(first.durationMs)}: no warm-up`,
    );
    s.warmupMs = 0;
  }
  if (first && s.warmupMs > 0 && s.warmupMs >= first.durationMs) {
    throw new UsageError(
      `the warm-up (${formatDurationMs(s.warmupMs)}) must be shorter than the steady duration (${formatDurationMs(first.durationMs)})`,
      'lengthen --duration or shorten --warmup (--warmup 0 measures everything)',
    );
  }
  if (o.serverPid !== undefined && o.target === undefined) {
    throw new UsageError('--server-pid names the process of a --target server; rtbench knows the processes of servers it starts');
  }
  if (o.serverUrl !== undefined && o.serverCommand === undefined) {
    throw new UsageError('--server-url says where a --server command listens; give --server too (or use --target for a running server)');
  }
  if (o.serverUrl !== undefined && o.serverCommand?.includes('{port}')) {
    throw new UsageError('--server-url names the port of a command without {port}; with {port}, rtbench picks the port and the URL');
  }
  if (o.serverUrl !== undefined) {
    const issues: string[] = [];
    checkUrlSyntax({ fail: (path: string, message: string) => void issues.push(`${path} ${message}`) }, o.serverUrl, '--server-url');
    if (issues.length > 0) throw new UsageError(issues.join('\n'));
  }
  if (o.serverCommand !== undefined && o.target !== undefined) {
    throw new UsageError('give --server (a command rtbench starts) or --target (a server already running), not both');
  }
  const launched = o.serverCommand !== undefined && s.groups.some((g) => !g.targetUrl && !s.targetUrl);
  if (o.serverCommand !== undefined && !launched) {
    throw new UsageError(`--server: every group of scenario '${s.name}' names its own target, so the command would serve none of them`);
  }
  const embedded = !launched && s.groups.some((g) => !g.targetUrl && !s.targetUrl);
  if (o.serverCpus !== undefined && !launched && !embedded && o.serverPid === undefined) {
    throw new UsageError('--server-cpus pins a server rtbench starts (--server, the embedded server) or names (--server-pid)');
  }

  if (launched && (o.echoDelayMs !== undefined || o.serverProfile !== undefined)) {
    throw new UsageError('--echo-delay and --server-profile set up the embedded server; with --server the command is the server');
  }
  if (o.shard && (embedded || launched)) {
    throw new UsageError(
      `--shard ${shardLabel(o.shard)}: shards split one run over several hosts against one server; ` +
        `give --target (with ${embedded ? 'the embedded server' : '--server'} each shard would measure its own)`,
    );
  }
  const firstUrl = s.groups[0]!.targetUrl ?? s.targetUrl;
  // This process holds its shard's share: that is what its open-files limit must fit.
  const share = shardShare(s, o.shard ?? WHOLE_RUN);
  const peak = Math.max(0, ...share.connectionsPerPhase.map((byGroup) => byGroup.reduce((a, n) => a + n, 0)));
  // Each connection is a file descriptor in one generator process (and one server process):
  // the open-files limit is per process, so big runs are spread over enough of them.
  const perProcess = openFilesLimit === undefined ? Number.POSITIVE_INFINITY : openFilesLimit - RESERVED_FDS;
  const neededProcesses = Math.ceil(peak / perProcess);
  let workers = o.workers ?? defaultWorkerCount(cores, embedded);
  if (peak > workers * perProcess) {
    if (o.workers !== undefined) {
      throw new UsageError(
        `${Math.ceil(peak / workers)} connections per worker exceed the open-files limit of ${openFilesLimit} per process`,
        `run with --workers ${neededProcesses} (each worker is a process with its own limit), or raise 'ulimit -n'`,
      );
    }
    workers = neededProcesses;
    notes.push(`${workers} generator processes so that each stays under the open-files limit of ${openFilesLimit}`);
  }
  const serverProcesses = embedded && neededProcesses > 1 ? neededProcesses : 1;
  if (serverProcesses > 1)
    notes.push(`the embedded server ran as ${serverProcesses} processes (open-files limit ${openFilesLimit} per process)`);
  if (o.serverProfile !== undefined && !embedded)
    throw new UsageError('--server-profile applies to the embedded server only; it cannot change --target');
  if (subscriberOnly && o.ratePerSec !== undefined) {
    if (!embedded) {
      throw new UsageError(
        `--rate: every group of scenario '${s.name}' only subscribes, so the rate is the server's own publish rate, ` +
          `which rtbench sets on the embedded server only; ${firstUrl} publishes by itself`,
        'drop --rate to subscribe to what the target publishes',
      );
    }
    s.server = { publishRatePerSec: o.ratePerSec };
  }
  const plan: RunPlan = {
    scenario: s,
    target: {
      url: firstUrl ?? '',
      embedded,
      label: embedded ? 'embedded' : launched ? commandLabel(o.serverCommand!) : targetLabel(firstUrl!),
      ...(launched
        ? {
            launch: {
              command: o.serverCommand!,
              readyTimeoutMs: o.serverReadyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
              ...(o.serverUrl !== undefined ? { url: o.serverUrl } : {}),
            },
          }
        : {}),
      ...(o.serverPid !== undefined ? { serverPid: o.serverPid } : {}),
    },
    workers,
    embeddedServer: {
      echoDelayMs: o.echoDelayMs ?? 0,
      echoSerial: o.echoSerial ?? false,
      publishIntervalMs: embedded && s.server ? 1000 / s.server.publishRatePerSec : 0,
      processes: serverProcesses,
      profile: o.serverProfile ?? 'strict',
    },
    ...(o.sourceIps?.length ? { sourceIps: o.sourceIps } : {}),
    ...(o.serverCpus !== undefined || o.clientCpus !== undefined
      ? {
          pinning: {
            ...(o.serverCpus !== undefined ? { server: o.serverCpus } : {}),
            ...(o.clientCpus !== undefined ? { client: o.clientCpus } : {}),
          },
        }
      : {}),
    ...(o.shard ? { shard: o.shard } : {}),
    ...(o.startAtMs !== undefined ? { startAtMs: o.startAtMs } : {}),
    notes,
    intervalMs: 1000,
    interruptGraceMs: 1000,
  };
  return deepFreeze(plan);
}

const CAP_ON_CLOSED =
  '--max-in-flight and --request-response apply to the open model (--rate); ' +
  'a closed-loop run (--in-flight, or the scenario\'s model "closed") keeps its own in-flight count';

function overrideLoad(load: LoadModel | undefined, o: RunOverrides): LoadModel | undefined {
  if (o.maxInFlight !== undefined && (o.inFlight !== undefined || (o.ratePerSec === undefined && load?.kind === 'closed'))) {
    throw new UsageError(CAP_ON_CLOSED);
  }
  if (o.ratePerSec !== undefined) {
    const prior = load?.kind === 'open' ? load : undefined;
    return {
      kind: 'open',
      ratePerSec: o.ratePerSec,
      arrival: o.arrival ?? prior?.arrival ?? 'uniform',
      maxInFlight: o.maxInFlight ?? prior?.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT,
    };
  }
  if (o.inFlight !== undefined) return { kind: 'closed', inFlight: o.inFlight, thinkTimeMs: o.thinkTimeMs ?? 0 };
  if (load?.kind === 'open') return { ...load, arrival: o.arrival ?? load.arrival, maxInFlight: o.maxInFlight ?? load.maxInFlight };
  if (load?.kind === 'closed' && o.thinkTimeMs !== undefined) return { ...load, thinkTimeMs: o.thinkTimeMs };
  return load;
}

/** How long a `--server` command has to accept connections. */
export const DEFAULT_READY_TIMEOUT_MS = 10_000;

/** A launched server's label: its command, cut short. */
function commandLabel(rawCommand: string): string {
  const command = redactText(rawCommand);
  return command.length > 40 ? `${command.slice(0, 39)}…` : command;
}

function targetLabel(url: string): string {
  const u = new URL(url);
  return `${u.host}${u.pathname}`;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
