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
import { sessionFactoryFor } from './roles/registry.js';
import type { GroupRuntime } from './session.js';

let engine: Engine | undefined;
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
    health: health!.sample(),
    connectionsOpen: engine!.openCount,
    atMs: Date.now(),
  };
}

function buildEngine(p: WorkerPlan): Engine {
  const groups: GroupRuntime[] = p.scenario.groups.map((spec, index) => ({
    index,
    spec,
    url: p.groupUrls[index]!,
    driver: driverFor(spec.protocol),
    probe: new ProbeWriter(spec.message.sizeBytes, spec.message.template),
  }));
  const factory = (g: GroupRuntime) => {
    const f = sessionFactoryFor(g.spec.protocol, g.spec.role);
    if (!f) throw new Error(`no session implementation for ${g.spec.protocol} role ${g.spec.role}`);
    return f;
  };
  return new Engine(p.scenario, groups, factory, recorder!, health!, p.firstConnectionIndex, p.localAddresses);
}

async function handle(msg: ToWorker): Promise<void> {
  switch (msg.type) {
    case 'start': {
      plan = msg.plan;
      recorder = new Recorder();
      health = new HealthMonitor();
      engine = buildEngine(plan);
      intervalTimer = setInterval(() => send({ type: 'interval', report: intervalReport() }), plan.intervalMs);
      send({ type: 'ready' });
      return;
    }
    case 'phase': {
      const phase = plan!.scenario.phases[msg.index]!;
      const rate = phase.connectRatePerSec === undefined ? undefined : Math.max(0.001, phase.connectRatePerSec * plan!.connectRateShare);
      await rampTo(engine!, plan!.connectionsPerPhase[msg.index]!, rate, () => cancelled);
      send({ type: 'ramped', index: msg.index, open: engine!.openCount });
      return;
    }
    case 'steady': {
      const phase = plan!.scenario.phases[msg.index]!;
      if (msg.index === 0) {
        health!.sample(); // start health figures with the load, not with start-up and the ramp
        if (msg.warmupMs > 0) warmupTimer = setTimeout(() => (recorder!.measuring = true), msg.warmupMs);
        else recorder!.measuring = true;
      }
      engine!.applyLoad(phase.load, plan!.totalConnectionsPerPhase[msg.index]!);
      return;
    }
    case 'drain': {
      cancelled = true;
      if (warmupTimer) clearTimeout(warmupTimer);
      await engine!.drain(msg.waitMs);
      clearInterval(intervalTimer);
      const report = intervalReport();
      health!.stop();
      send({ type: 'done', report, notes: [...engine!.notes] });
      process.disconnect?.();
      return;
    }
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
