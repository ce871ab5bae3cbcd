/**
 * Worker process: receives its WorkerPlan, holds its share of connections, follows the
 * runner's phase commands, and sends interval snapshots and a final report over IPC.
 * Started by pool.ts with child_process.fork: a process, not a thread, because the
 * open-files limit is per process (a hard 20,000 here) and scale-out must cross it.
 */
import { Recorder } from '../metrics/recorder.js';
import { driverFor } from '../protocol/registry.js';
import { ProbeWriter } from '../protocol/payload.js';
import { Engine } from './engine.js';
import { HealthMonitor } from './health.js';
import { assertNever, type FromWorker, type IntervalReport, type ToWorker, type WorkerPlan } from './messages.js';
import { rampTo } from './ramp.js';
import { FanoutBook } from './roles/fanout-book.js';
import { sessionFactoryFor } from './roles/registry.js';
import type { GroupRuntime } from './session.js';

let engine: Engine | undefined;
/** Between a phase's steady start and the next ramp or the drain: when health is judged. */
let isSteady = false;
let plan: WorkerPlan | undefined;
let recorder: Recorder | undefined;
let health: HealthMonitor | undefined;
let intervalTimer: NodeJS.Timeout | undefined;
let cancelled = false;
let warmupTimer: NodeJS.Timeout | undefined;

function send(msg: FromWorker): void {
  process.send?.(msg);
}

function intervalReport(): IntervalReport {
  return {
    snapshot: recorder!.takeSnapshot(),
    health: { ...health!.sample(), isSteady },
    connectionsOpen: engine!.openCount,
    connectionsLive: engine!.liveCount(),
    atMs: Date.now(),
  };
}

function buildEngine(p: WorkerPlan): Engine {
  const groups: GroupRuntime[] = p.scenario.groups.map((spec, index) => ({
    index,
    spec,
    url: p.groupUrls[index]!,
    driver: driverFor(spec.protocol, spec.sse?.client),
    probe: new ProbeWriter(spec.message.sizeBytes, spec.message.template),
  }));
  const factory = (g: GroupRuntime) => {
    const f = sessionFactoryFor(g.spec.protocol, g.spec.role);
    if (!f) throw new Error(`no session implementation for ${g.spec.protocol} role ${g.spec.role}`);
    return f;
  };
  const built = new Engine(p.scenario, groups, factory, recorder!, health!, p.firstConnectionIndex, p.local);
  if (p.scenario.fanout) built.fanout = new FanoutBook(p.scenario, p.workerIndex, p.workerCount, built.notes);
  return built;
}

async function handle(msg: ToWorker): Promise<void> {
  switch (msg.type) {
    case 'start': {
      plan = msg.plan;
      recorder = new Recorder();
      health = new HealthMonitor();
      engine = buildEngine(plan);
      // Report at once when the last connection ends, so a phase that lasts until every
      // stream has ended (untilStreamsEnd) stops then, not up to an interval later.
      engine.onIdle = () => {
        if (!cancelled) send({ type: 'interval', report: intervalReport() });
      };
      intervalTimer = setInterval(() => send({ type: 'interval', report: intervalReport() }), plan.intervalMs);
      send({ type: 'ready' });
      return;
    }
    case 'phase': {
      send({ type: 'interval', report: intervalReport() }); // close the steady interval before the ramp
      isSteady = false;
      const phase = plan!.scenario.phases[msg.index]!;
      const rate = phase.connectRatePerSec === undefined ? undefined : Math.max(0.001, phase.connectRatePerSec * plan!.connectRateShare);
      engine!.fanout?.rampStarted(msg.index);
      await rampTo(engine!, plan!.connectionsPerPhase[msg.index]!, rate, () => cancelled);
      // The counts so far, ahead of 'ramped': the runner judges "no connection could be opened"
      // by connections opened, since streams may open and end (SSE) before the ramp does.
      send({ type: 'interval', report: intervalReport() });
      send({ type: 'ramped', index: msg.index, open: engine!.openCount });
      return;
    }
    case 'steady': {
      const phase = plan!.scenario.phases[msg.index]!;
      health!.sample(); // start health figures with the load, not with start-up and the ramp
      isSteady = true;
      if (msg.index === 0) {
        if (msg.warmupMs > 0) warmupTimer = setTimeout(() => (recorder!.measuring = true), msg.warmupMs);
        else recorder!.measuring = true;
      }
      engine!.fanout?.steadyStarted(msg.index);
      engine!.applyLoad(phase.load, plan!.totalConnectionsPerPhase[msg.index]!);
      // Streams may all have ended during the ramp; the runner needs a report from this phase.
      if (phase.untilStreamsEnd && engine!.liveCount() === 0) send({ type: 'interval', report: intervalReport() });
      return;
    }
    case 'drain': {
      send({ type: 'interval', report: intervalReport() }); // the last steady interval
      isSteady = false;
      cancelled = true;
      if (warmupTimer) clearTimeout(warmupTimer);
      // Fan-out: publishing stops now; the runner sums every worker's counts and sends them
      // back (fanout_totals), which tells each subscriber what it still waits for.
      const published = engine!.fanout?.drainStarted();
      if (published) send({ type: 'fanout_published', published });
      await engine!.drain(msg.waitMs);
      const fanout = engine!.fanout?.finalise(recorder!);
      clearInterval(intervalTimer);
      const report = intervalReport();
      if (fanout) report.fanout = fanout;
      health!.stop();
      send({ type: 'done', report, notes: [...engine!.notes] });
      process.disconnect?.();
      return;
    }
    case 'fanout_totals':
      engine!.fanout?.setTotals(msg.totals);
      return;
    default:
      assertNever(msg);
  }
}

process.on('message', (msg: ToWorker) => {
  handle(msg).catch((err: Error) => {
    send({ type: 'fatal', message: err.message, stack: err.stack });
    process.exitCode = 1;
    process.disconnect?.();
  });
});

// The runner going away (crash, kill) must not leave a generator hammering the target.
process.on('disconnect', () => {
  setTimeout(() => process.exit(0), 50).unref();
});
// Ctrl-C reaches the whole process group; the runner decides how to stop, not us.
process.on('SIGINT', () => {});
