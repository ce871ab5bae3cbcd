/**
 * Runs a plan: starts the embedded server when there is no target, splits connections over
 * worker processes, drives the phases (ramp, then steady load), drains, and builds the
 * RunResult. Interruptions (Ctrl-C, a crashed worker, a target that closed everything) still
 * produce a result, marked partial, with the reason.
 */
import { DEFAULT_SERVER_OPTIONS } from '../server/options.js';
import os from 'node:os';
import { Aggregator } from '../metrics/aggregate.js';
import { encodeHistogram, summarizeHistogram, type Histogram } from '../metrics/histogram.js';
import type { MetricId } from '../metrics/metric-ids.js';
import { emptyHealth, SCHEMA_VERSION, type MetricResult, type RunResult } from '../metrics/result.js';
import type { Pinning, RunPlan } from '../scenario/plan.js';
import type { Phase, Scenario } from '../scenario/types.js';
import { splitEvenly } from '../load/schedule.js';
import { shardLabel, shardShare, WHOLE_RUN } from '../scenario/shard.js';
import { type ClockProbe, probeTargetClock } from './clock-probe.js';
import { UsageError } from '../errors.js';
import { localEndpointsFor, sourceAddressesFor } from './source-addresses.js';
import { mainCoordinatorsFor, roleFor } from '../worker/roles/registry.js';
import { allowedCpus, canPin, pinProcess } from '../launch/cpu-pinning.js';
import { LaunchError, launchServer, type LaunchedServer } from '../launch/server-command.js';
import { zeroCounters } from '../metrics/counters.js';
import { startEmbeddedServer } from '../server/embedded.js';
import type { RunningServer } from '../server/running-server.js';
import { TOOL_VERSION } from '../version.js';
import type { RoleSections, ServerResources, ShardRecord } from '../metrics/result.js';
import { treeOf } from '../proc.js';
import { ServerResourceSampler } from './server-resources.js';
import type { WorkerPlan } from '../worker/messages.js';
import { WorkerPool } from '../worker/pool.js';
import { redactDocument } from '../redact.js';

/** Why a run ended before its plan did. */
export type RunOutcome = 'completed' | 'interrupted' | 'unreachable' | 'target_lost' | 'crashed' | 'late';

/** Live figures for a progress display (never computed inside a worker). */
export interface Progress {
  elapsedMs: number;
  plannedMs: number;
  connectionsOpen: number;
  msgsPerSec: number;
  latencyP99Us: number;
  errors: number;
}

export interface RunOptions {
  /** Aborting stops the run and yields a partial result (Ctrl-C). */
  signal?: AbortSignal;
  onProgress?(p: Progress): void;
  /** Called with the embedded server's URL once it is up (logs, tests). */
  onTargetReady?(url: string): void;
}

export interface RunOutput {
  result: RunResult;
  outcome: RunOutcome;
}

/** Executes the plan and returns the result, also when interrupted. */
export async function runScenario(plan: RunPlan, options: RunOptions = {}): Promise<RunOutput> {
  const scenario = plan.scenario;
  for (const g of scenario.groups) {
    if (!roleFor(g.protocol, g.role)) {
      throw new UsageError(`group "${g.name}": role "${g.role}" over ${g.protocol} is not available in rtbench ${TOOL_VERSION}`);
    }
  }
  const pinning = plan.pinning;
  const ownCpus = pinning?.client !== undefined ? allowedCpus(process.pid) : undefined;
  let pinnedClient = false;
  /** Processes rtbench pinned that outlive the run (a --server-pid server), with their CPUs before. */
  const restore: Array<{ pid: number; cpus: string }> = [];
  let server: RunningServer | undefined;
  let launched: LaunchedServer | undefined;
  try {
    if (plan.target.embedded) {
      const { echoDelayMs, echoSerial, publishIntervalMs, processes, profile } = plan.embeddedServer;
      // The embedded server takes whatever this run sends: its largest message, and an Origin
      // header when the run sends one (`serve` refuses both by default).
      const largest = Math.max(0, ...plan.scenario.groups.map((g) => g.message?.sizeBytes ?? 0));
      server = await startEmbeddedServer({
        host: '127.0.0.1',
        port: 0,
        echoDelayMs,
        echoSerial,
        publishIntervalMs,
        processes,
        profile,
        maxMessageBytes: Math.max(DEFAULT_SERVER_OPTIONS.maxMessageBytes, largest),
        allowOrigin: plan.scenario.connection.origin !== undefined,
      });
    } else if (plan.target.launch) {
      const startedAt = new Date();
      try {
        launched = await launchServer({ ...plan.target.launch, cpus: pinning?.server });
      } catch (err) {
        // Nothing ran, but the run is still recorded: a partial result that says why.
        if (err instanceof LaunchError)
          return { result: redactDocument(unstartedResult(plan, startedAt, err.message)), outcome: 'unreachable' };
        throw err;
      }
    }
    // The server starts before rtbench pins itself, so it never inherits the client's CPUs.
    const serverPid = server?.pid ?? plan.target.serverPid;
    let pinnedServer = launched !== undefined && pinning?.server !== undefined && canPin();
    if (serverPid !== undefined && pinning?.server !== undefined) {
      const tree = treeOf(serverPid);
      if (serverPid === plan.target.serverPid) {
        for (const p of tree) {
          const cpus = allowedCpus(p.pid);
          if (cpus !== undefined) restore.push({ pid: p.pid, cpus });
        }
      }
      const pinned = tree.map((p) => pinProcess(p.pid, pinning.server!));
      pinnedServer = pinned.length > 0 && pinned.every(Boolean);
    }
    // The generator's side: worker processes forked from here on inherit it.
    if (pinning?.client !== undefined) pinnedClient = pinProcess(process.pid, pinning.client);
    const output = await runAgainst(plan, options, server, launched);
    if (pinning) output.result.notes.unshift(pinningNote(pinning, pinnedServer, pinnedClient));
    // Headers, URL credentials and command-line secrets leave the run redacted (src/redact.ts):
    // every output is made from this copy.
    return { ...output, result: redactDocument(output.result) };
  } finally {
    // Whatever happened, a server rtbench started does not outlive the run, and this process
    // gets its CPUs back (tests and compare run several plans in one process).
    await launched?.stop();
    if (pinnedClient && ownCpus !== undefined) pinProcess(process.pid, ownCpus);
    for (const r of restore) pinProcess(r.pid, r.cpus);
  }
}

/** The result of a run whose target never came up: no samples, the reason as its interruption. */
function unstartedResult(plan: RunPlan, startedAt: Date, reason: string): RunResult {
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'rtbench', version: TOOL_VERSION },
    scenario: plan.scenario,
    target: { url: plan.target.url || plan.target.label, label: plan.target.label, embedded: false },
    environment: environment(),
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startedAt.getTime(),
    measuredMs: 0,
    loadModel: loadModelOf(plan.scenario),
    partial: true,
    interruption: reason,
    metrics: {},
    counters: zeroCounters(),
    errors: {},
    timeseries: [],
    health: emptyHealth(),
    notes: [...plan.notes],
  };
}

/** What was pinned, in the report's words. */
function pinningNote(p: Pinning, server: boolean, client: boolean): string {
  const parts: string[] = [];
  if (p.server !== undefined) parts.push(server ? `the server to CPUs ${p.server}` : `not the server (CPUs ${p.server} asked)`);
  if (p.client !== undefined)
    parts.push(client ? `rtbench and its generator processes to CPUs ${p.client}` : `not rtbench (CPUs ${p.client} asked)`);
  const why =
    (p.server !== undefined && !server) || (p.client !== undefined && !client) ? (canPin() ? '' : '; taskset is not available here') : '';
  return `pinned with taskset: ${parts.join(', ')}${why}`;
}

/** The run proper, once the target is up: `server` (embedded) and `launched` are closed by the caller or here. */
async function runAgainst(
  plan: RunPlan,
  options: RunOptions,
  server: RunningServer | undefined,
  launched: LaunchedServer | undefined,
): Promise<RunOutput> {
  const scenario = plan.scenario;
  const localPort = server?.port ?? launched?.port;
  const groupUrls = scenario.groups.map(
    (g) =>
      g.targetUrl ??
      scenario.targetUrl ??
      plan.target.launch?.url ??
      `${g.protocol === 'ws' ? 'ws' : 'http'}://127.0.0.1:${localPort}${g.path}`,
  );
  const peak = Math.max(0, ...scenario.phases.map((p) => p.connections));
  let sourceAddresses: string[];
  try {
    sourceAddresses = sourceAddressesFor(groupUrls, peak, plan.sourceIps);
  } catch (err) {
    await server?.close();
    throw err;
  }
  const url = groupUrls[0]!;
  if (server) options.onTargetReady?.(url);

  // Sharded or timed runs record their clock against the target's before any load.
  const clock = plan.shard || plan.startAtMs !== undefined ? await probeTargetClock(url, scenario.connection.insecure) : undefined;
  const startedAt = new Date();
  const startMs = Date.now();
  // A local target's own cost, over the measured window (the embedded server, a launched
  // command, or a process the user named).
  const serverPid = server?.pid ?? launched?.pid ?? plan.target.serverPid;
  const serverSource = server ? 'embedded' : launched ? 'launched' : 'pid';
  const resources = serverPid === undefined ? undefined : new ServerResourceSampler(serverPid, serverSource, startMs);
  let windowTimer: NodeJS.Timeout | undefined;
  const aggregator = new Aggregator(startMs, plan.intervalMs);
  // Set from callbacks (signal, worker events), hence an object rather than locals.
  const status: { outcome: RunOutcome; interruption?: string } = { outcome: 'completed' };
  const end = (o: RunOutcome, reason: string) => {
    if (status.outcome !== 'completed') return;
    status.outcome = o;
    status.interruption = reason;
  };
  const stopped = () => status.outcome !== 'completed' || options.signal?.aborted === true;
  const onAbort = () => end('interrupted', 'interrupted by the user (Ctrl-C)');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  /** Connections the current phase aims for: a phase ramped down to none has not lost its target. */
  let phaseTarget = 0;

  const plannedMs = scenario.phases.reduce((a, p) => a + p.durationMs, 0);
  let steadyStartMs = 0;
  let drainStartMs = 0;
  // Phases with untilStreamsEnd stop once every worker reports no live session since the
  // phase's steady part began: streams that end by design are the run's end, not a lost target.
  let steadyPhase: Phase | undefined;
  const liveByWorker = new Map<number, number>();
  let streamsEnded = false;
  const coordinators = mainCoordinatorsFor(scenario);
  /** Each coordinator's final summaries from every worker. */
  const summaries = new Map<string, unknown[]>([...coordinators.keys()].map((name) => [name, []]));
  const pool = await WorkerPool.start(
    workerPlans(plan, groupUrls, sourceAddresses),
    {
      onInterval: (index, report) => {
        aggregator.add(index, report);
        for (const [name, summary] of Object.entries(report.summaries ?? {})) summaries.get(name)?.push(summary);
        const point = aggregator.latestPoint();
        options.onProgress?.({
          elapsedMs: Date.now() - startMs,
          plannedMs,
          connectionsOpen: aggregator.connectionsOpen,
          msgsPerSec: aggregator.msgsPerSecNow,
          latencyP99Us: point?.latency_p99_us ?? 0,
          errors: Object.values(aggregator.errors).reduce((a, v) => a + v, 0),
        });
        if (steadyPhase?.untilStreamsEnd && !drainStartMs) {
          liveByWorker.set(index, report.connectionsLive);
          streamsEnded = liveByWorker.size === plan.workers && [...liveByWorker.values()].every((n) => n === 0);
        } else if (
          steadyStartMs &&
          !drainStartMs &&
          phaseTarget > 0 &&
          aggregator.connectionsOpen === 0 &&
          aggregator.counters.connections_opened > 0 &&
          !reopensConnections(scenario) &&
          expectsConnections(scenario)
        ) {
          end('target_lost', `the target closed every connection ${((Date.now() - steadyStartMs) / 1000).toFixed(1)} s into the run`);
        }
      },
      onCrash: (_index, reason) => end('crashed', reason),
    },
    coordinators,
  );

  let notes: string[] = [];
  const rampWarnings: string[] = [];
  /** When phase 1's load started (its steady part), for the start offset against --start-at. */
  let loadStartMs: number | undefined;
  const missedStart = () => late(plan, Date.now());
  try {
    const tooLate = missedStart();
    if (tooLate) end('late', tooLate);
    for (let i = 0; i < scenario.phases.length && !stopped(); i++) {
      const phase = scenario.phases[i]!;
      phaseTarget = phase.connections;
      const rampStartMs = Date.now();
      const before = i === 0 ? 0 : scenario.phases[i - 1]!.connections;
      pool.broadcast({ type: 'phase', index: i });
      await pool.waitRamped(i, stopped);
      if (stopped()) break;
      const rampWarning = checkRampRate(i, phase, Math.abs(phase.connections - before), Date.now() - rampStartMs);
      if (rampWarning) rampWarnings.push(rampWarning);
      // Connections opened, not open now: SSE streams may open and end (and be waiting to
      // reconnect) before the ramp is over. Each worker reports its counts just before 'ramped'.
      if (i === 0 && aggregator.counters.connections_opened === 0 && phase.connections > 0) {
        end('unreachable', `no connection to ${url} could be opened`);
        break;
      }
      if (i === 0 && plan.startAtMs !== undefined) {
        // Connected early; every shard starts its load at the same wall-clock instant.
        const missed = missedStart();
        if (missed) {
          end('late', missed);
          break;
        }
        await sleepUntil(plan.startAtMs, stopped);
        if (stopped()) break;
      }
      pool.broadcast({ type: 'steady', index: i, warmupMs: i === 0 ? scenario.warmupMs : 0 });
      if (i === 0) {
        steadyStartMs = Date.now();
        loadStartMs = steadyStartMs;
        if (resources) windowTimer = setTimeout(() => resources.begin(), scenario.warmupMs);
      }
      liveByWorker.clear();
      streamsEnded = false;
      steadyPhase = phase;
      await sleepUnless(phase.durationMs, () => stopped() || streamsEnded);
      steadyPhase = undefined;
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    drainStartMs = Date.now();
    clearTimeout(windowTimer);
    resources?.end();
    const waitMs = status.outcome === 'interrupted' ? plan.interruptGraceMs : scenario.connection.replyTimeoutMs;
    // Closing takes ~0.1 ms of CPU per connection, more on a loaded machine: the limit grows
    // with each worker's share so big runs are not cut off before their final report.
    const perWorker = Math.ceil(Math.max(0, ...scenario.phases.map((p) => p.connections)) / plan.workers);
    notes = await pool.drain(waitMs, waitMs + 8000 + perWorker);
    pool.kill();
    if (server) await server.close();
  }
  if (aggregator.counters.connections_opened === 0 && expectsConnections(scenario))
    end('unreachable', `no connection to ${url} could be opened`);
  const { outcome, interruption } = status;

  const counters = aggregator.counters;
  const sections: RoleSections = {};
  const sectionNotes: string[] = [];
  for (const [name, c] of coordinators) {
    const built = c.buildSection(summaries.get(name) ?? [], { scenario, isEmbedded: plan.target.embedded, targetUrl: url });
    Object.assign(sections, { [c.section]: built.value });
    sectionNotes.push(...built.notes);
  }
  const result: RunResult = {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'rtbench', version: TOOL_VERSION },
    scenario,
    target: { url, label: plan.target.label, embedded: plan.target.embedded },
    environment: environment(),
    startedAt: startedAt.toISOString(),
    durationMs: Date.now() - startMs,
    measuredMs: steadyStartMs ? Math.max(0, drainStartMs - steadyStartMs - scenario.warmupMs) : 0,
    loadModel: loadModelOf(scenario),
    partial: outcome !== 'completed',
    ...(interruption ? { interruption } : {}),
    metrics: metricsOf(aggregator.histograms),
    counters,
    errors: aggregator.errors,
    timeseries: aggregator.timeseries(),
    health: aggregator.healthResult(plan.workers, counters.sends_missed, rampWarnings),
    notes: [
      ...(plan.target.embedded
        ? [`target: the embedded reference server (profile ${plan.embeddedServer.profile}), started by rtbench in its own process`]
        : []),
      ...(launched
        ? [
            `target: the server command '${launched.command}', started by rtbench on 127.0.0.1:${launched.port} ` +
              `(pid ${launched.pid}) and stopped after the run`,
          ]
        : []),
      ...plan.notes,
      ...(sourceAddresses.length > 1
        ? [
            `connections spread over ${sourceAddresses.length} source addresses ` +
              `(${sourceAddresses.join(', ')}): one address reaches one server port with at most ~28k ports`,
          ]
        : []),
      ...(scenario.connection.insecure ? ['TLS certificates were not verified (--insecure)'] : []),
      ...sectionNotes,
      ...notes,
    ],
    ...sections,
    ...(resources ? serverSection(resources, aggregator.histograms, scenario) : {}),
    ...(clock ? { shard: shardRecord(plan, startedAt, clock, loadStartMs) } : {}),
  };
  return { result, outcome };
}

/** Why a run with --start-at cannot start its load on time at `nowMs`, or undefined when it can. */
function late(plan: RunPlan, nowMs: number): string | undefined {
  if (plan.startAtMs === undefined || nowMs < plan.startAtMs) return undefined;
  const who = plan.shard ? `shard ${shardLabel(plan.shard)}` : 'this run';
  return (
    `${who} was not connected by --start-at ${new Date(plan.startAtMs).toISOString()}: ` +
    `ready ${nowMs - plan.startAtMs} ms after it (give the shards more time to start and connect)`
  );
}

/** The shard's account of itself: share, start against --start-at, clock. */
function shardRecord(plan: RunPlan, startedAt: Date, clock: ClockProbe, loadStartMs: number | undefined): ShardRecord {
  const shard = plan.shard ?? WHOLE_RUN;
  return {
    index: shard.index,
    count: shard.count,
    connectionsPerPhase: shardShare(plan.scenario, shard).connectionsPerPhase,
    ...(plan.startAtMs !== undefined ? { startAt: new Date(plan.startAtMs).toISOString() } : {}),
    ...(plan.startAtMs !== undefined && loadStartMs !== undefined ? { startOffsetMs: loadStartMs - plan.startAtMs } : {}),
    clock: {
      hostname: os.hostname(),
      wallAtStart: startedAt.toISOString(),
      targetOffsetMs: clock.offsetMs,
      targetRttMs: clock.rttMs,
      source: clock.source,
    },
  };
}

/** The `server` section: measured operations (replies, deliveries, events) and the peak connection count. */
function serverSection(resources: ServerResourceSampler, histograms: Map<MetricId, Histogram>, s: Scenario): { server?: ServerResources } {
  const count = (id: MetricId) => histograms.get(id)?.totalCount ?? 0;
  const operations = count('latency') + count('fanout_latency') + count('event_gap') + count('first_event_time');
  const connections = Math.max(0, ...s.phases.map((p) => p.connections));
  const server = resources.result(operations, connections);
  return server ? { server } : {};
}

/** Connections come back by themselves: run-level reconnect, or SSE streams reconnecting as browsers do. */
function reopensConnections(s: Scenario): boolean {
  return s.connection.reconnect || s.groups.some((g) => g.sse?.reconnect === true);
}

/**
 * A ramp at a given connect rate should hold it within 10%; when the generator (or the
 * server) cannot, the health line says so rather than the run quietly taking longer.
 */
export function checkRampRate(index: number, phase: Phase, connections: number, elapsedMs: number): string | undefined {
  const asked = phase.connectRatePerSec;
  if (asked === undefined || connections < 2 * asked || elapsedMs <= 0) return undefined;
  const achieved = connections / (elapsedMs / 1000);
  if (achieved >= 0.9 * asked) return undefined;
  return (
    `phase ${index + 1} ramped at ${Math.round(achieved)} connections/s, ` +
    `below the ${Math.round(asked)}/s asked (the generator or the server could not keep up)`
  );
}

function expectsConnections(s: Scenario): boolean {
  return s.phases.some((p) => p.connections > 0);
}

/**
 * Splits this process's share of each phase's connections (the whole run, or its shard's:
 * scenario/shard.ts) over the workers, exactly: no remainder is lost, and shares differ by at
 * most one. Connection indices and the connect rate stay run-wide, so N shards of W workers
 * each pace and label their connections as one run would.
 */
export function workerPlans(plan: RunPlan, groupUrls: string[], sourceAddresses: string[] = []): WorkerPlan[] {
  const { phases, groups } = plan.scenario;
  const share = shardShare(plan.scenario, plan.shard ?? WHOLE_RUN);
  // [phase][group][worker]
  const split = share.connectionsPerPhase.map((byGroup) => byGroup.map((n) => splitEvenly(n, plan.workers)));
  const peak = Math.max(1, ...phases.map((p) => p.connections));
  return Array.from({ length: plan.workers }, (_, w) => {
    const perPhase = split.map((byGroup) => byGroup.map((byWorker) => byWorker[w]!));
    const myPeak = Math.max(...perPhase.map((gs) => gs.reduce((a, v) => a + v, 0)));
    return {
      workerIndex: w,
      workerCount: plan.workers,
      ...(plan.shard ? { shard: plan.shard } : {}),
      scenario: plan.scenario,
      groupUrls,
      connectionsPerPhase: perPhase,
      firstConnectionIndex: groups.map(
        (_, g) =>
          share.firstConnectionIndex[g]! + Math.max(0, ...split.map((byGroup) => byGroup[g]!.slice(0, w).reduce((a, v) => a + v, 0))),
      ),
      connectRateShare: myPeak / peak,
      intervalMs: plan.intervalMs,
      local: localEndpointsFor(sourceAddresses, w, plan.workers),
    };
  });
}

function metricsOf(histograms: Map<MetricId, Histogram>): Partial<Record<MetricId, MetricResult>> {
  const out: Partial<Record<MetricId, MetricResult>> = {};
  for (const [id, h] of histograms) out[id] = { ...summarizeHistogram(h), histogram: encodeHistogram(h) };
  return out;
}

function loadModelOf(s: Scenario): RunResult['loadModel'] {
  const kinds = new Set(s.phases.map((p) => p.load?.kind ?? 'idle'));
  kinds.delete('idle');
  if (kinds.size === 0) return 'idle';
  if (kinds.size > 1) return 'mixed';
  return [...kinds][0] as 'open' | 'closed';
}

function environment(): RunResult['environment'] {
  const cpus = os.cpus();
  return {
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpu_model: cpus[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism?.() ?? cpus.length,
    hostname: os.hostname(),
  };
}

/** Sleeps until the wall clock reads `atMs` (the last stretch in one timer, to the millisecond). */
async function sleepUntil(atMs: number, stopped: () => boolean): Promise<void> {
  await sleepUnless(Math.max(0, atMs - Date.now() - 60), stopped);
  while (!stopped() && Date.now() < atMs) await new Promise((r) => setTimeout(r, Math.max(0, atMs - Date.now())));
}

async function sleepUnless(ms: number, stopped: () => boolean): Promise<void> {
  const until = Date.now() + ms;
  while (!stopped() && Date.now() < until) {
    await new Promise((r) => setTimeout(r, Math.min(50, until - Date.now())));
  }
}
