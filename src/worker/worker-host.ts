/**
 * The generator side of a worker, independent of how it is reached: it receives its
 * WorkerPlan and phase commands, holds its share of connections, and sends interval snapshots
 * and a final report through `send`. entry.ts runs it in a child process over IPC; pool.ts
 * runs a lone worker in the CLI's own process (one process less: ~70 MiB less memory).
 */
import { Recorder } from '../metrics/recorder.js';
import { driverFor } from '../protocol/registry.js';
import { ProbeWriter } from '../protocol/payload.js';
import type { WorkerCoordinator } from './coordinator.js';
import { Engine } from './engine.js';
import { HealthMonitor } from './health.js';
import { assertNever, type FromWorker, type IntervalReport, type ToWorker, type WorkerPlan } from './messages.js';
import { rampTo } from './ramp.js';
import { roleFor, workerCoordinatorsFor } from './roles/registry.js';
import { WHOLE_RUN } from '../scenario/shard.js';
import type { GroupRuntime, RoleHost } from './session.js';

/** Messages out of the worker, and the call that says it has finished. */
export interface WorkerOutput {
  send(msg: FromWorker): void;
  /** The final report is sent (or a fatal error): the worker holds nothing any more. */
  finish(): void;
}

/** One worker's state and its message handler. */
export class WorkerHost {
  private engine: Engine | undefined;
  /** The role coordinators of this worker, by name (fan-out's book, ...). */
  private coordinators = new Map<string, WorkerCoordinator>();
  /** Notes the coordinators add (joined with the sessions' in the final report). */
  private coordinatorNotes = new Set<string>();
  /** Between a phase's steady start and the next ramp or the drain (health is judged there, past warm-up). */
  private isSteady = false;
  private plan: WorkerPlan | undefined;
  private recorder: Recorder | undefined;
  private health: HealthMonitor | undefined;
  private intervalTimer: NodeJS.Timeout | undefined;
  private cancelled = false;
  private warmupTimer: NodeJS.Timeout | undefined;

  constructor(private readonly out: WorkerOutput) {}

  /** Handles one command; a failure is reported as `fatal` and ends the worker. */
  handle(msg: ToWorker): void {
    this.dispatch(msg).catch((err: Error) => {
      this.out.send({ type: 'fatal', message: err.message, stack: err.stack });
      // Drop connections and timers too: an in-process worker has no process exit to do it.
      this.abort();
      this.out.finish();
    });
  }

  /** Drops every connection at once and stops (the runner gave up waiting for this worker). */
  abort(): void {
    this.cancelled = true;
    this.stop();
    this.engine?.abort();
  }

  /** Stops timers (the worker is going away). */
  private stop(): void {
    if (this.intervalTimer) clearInterval(this.intervalTimer);
    if (this.warmupTimer) clearTimeout(this.warmupTimer);
    this.health?.stop();
  }

  private send(msg: FromWorker): void {
    this.out.send(msg);
  }

  private intervalReport(): IntervalReport {
    return {
      snapshot: this.recorder!.takeSnapshot(),
      // An interval ending past the warm-up counts whole: a warm-up hiccup in it is judged too.
      health: { ...this.health!.sample(), isMeasured: this.isSteady && this.recorder!.measuring },
      connectionsOpen: this.engine!.openCount,
      connectionsLive: this.engine!.liveCount(),
      atMs: Date.now(),
    };
  }

  private buildEngine(p: WorkerPlan): Engine {
    const groups: GroupRuntime[] = p.scenario.groups.map((spec, index) => ({
      index,
      spec,
      url: p.groupUrls[index]!,
      driver: driverFor(spec.protocol, spec.sse?.client),
      probe: new ProbeWriter(spec.message.sizeBytes, spec.message.template),
    }));
    const notes = new Set<string>();
    this.coordinators = workerCoordinatorsFor({
      scenario: p.scenario,
      workerIndex: p.workerIndex,
      workerCount: p.workerCount,
      shard: p.shard ?? WHOLE_RUN,
      notes,
    });
    // Each group's factory, bound to its role's coordinator once.
    const openers = groups.map((g) => {
      const role = roleFor(g.spec.protocol, g.spec.role);
      if (!role) throw new Error(`no session implementation for ${g.spec.protocol} role ${g.spec.role}`);
      const coordinator = role.coordinator === undefined ? undefined : this.coordinators.get(role.coordinator);
      return (host: RoleHost, group: GroupRuntime, index: number) => role.create(host, group, index, coordinator);
    });
    const engine = new Engine(
      p.scenario,
      groups,
      (host, group, index) => openers[group.index]!(host, group, index),
      this.recorder!,
      this.health!,
      p.firstConnectionIndex,
      p.local,
    );
    this.coordinatorNotes = notes;
    return engine;
  }

  private async dispatch(msg: ToWorker): Promise<void> {
    switch (msg.type) {
      case 'start': {
        this.plan = msg.plan;
        this.recorder = new Recorder();
        this.health = new HealthMonitor();
        this.engine = this.buildEngine(this.plan);
        // Report at once when the last connection ends, so a phase that lasts until every
        // stream has ended (untilStreamsEnd) stops then, not up to an interval later.
        this.engine.onIdle = () => {
          if (!this.cancelled) this.send({ type: 'interval', report: this.intervalReport() });
        };
        this.intervalTimer = setInterval(() => this.send({ type: 'interval', report: this.intervalReport() }), this.plan.intervalMs);
        this.send({ type: 'ready' });
        return;
      }
      case 'phase': {
        this.send({ type: 'interval', report: this.intervalReport() }); // close the steady interval before the ramp
        this.isSteady = false;
        const phase = this.plan!.scenario.phases[msg.index]!;
        const rate =
          phase.connectRatePerSec === undefined ? undefined : Math.max(0.001, phase.connectRatePerSec * this.plan!.connectRateShare);
        for (const c of this.coordinators.values()) c.rampStarted?.(msg.index);
        await rampTo(this.engine!, this.plan!.connectionsPerPhase[msg.index]!, rate, () => this.cancelled);
        // The counts so far, ahead of 'ramped': the runner judges "no connection could be opened"
        // by connections opened, since streams may open and end (SSE) before the ramp does.
        this.send({ type: 'interval', report: this.intervalReport() });
        this.send({ type: 'ramped', index: msg.index, open: this.engine!.openCount });
        return;
      }
      case 'steady': {
        const phase = this.plan!.scenario.phases[msg.index]!;
        this.health!.sample(); // start health figures with the load, not with start-up and the ramp
        this.isSteady = true;
        if (msg.index === 0) {
          if (msg.warmupMs > 0) this.warmupTimer = setTimeout(() => (this.recorder!.measuring = true), msg.warmupMs);
          else this.recorder!.measuring = true;
        }
        for (const c of this.coordinators.values()) c.steadyStarted?.(msg.index);
        this.engine!.applyLoad(phase.load);
        // Streams may all have ended during the ramp; the runner needs a report from this phase.
        if (phase.untilStreamsEnd && this.engine!.liveCount() === 0) this.send({ type: 'interval', report: this.intervalReport() });
        return;
      }
      case 'drain': {
        this.send({ type: 'interval', report: this.intervalReport() }); // the last steady interval
        this.isSteady = false;
        this.cancelled = true;
        if (this.warmupTimer) clearTimeout(this.warmupTimer);
        // Coordinators may need figures from every worker to settle (fan-out: what was published
        // in all, which tells each subscriber what it still waits for): the main side combines
        // the values and sends them back ('combined') while the engine drains.
        for (const [coordinator, c] of this.coordinators) {
          const value = c.drainStarted?.();
          if (value !== undefined) this.send({ type: 'drain_started', coordinator, value });
        }
        await this.engine!.drain(msg.waitMs);
        const summaries: Record<string, unknown> = {};
        for (const [name, c] of this.coordinators) {
          const summary = c.finalise?.(this.recorder!.counters);
          if (summary !== undefined) summaries[name] = summary;
        }
        clearInterval(this.intervalTimer);
        const report = this.intervalReport();
        if (Object.keys(summaries).length > 0) report.summaries = summaries;
        this.health!.stop();
        this.send({ type: 'done', report, notes: [...new Set([...this.engine!.notes, ...this.coordinatorNotes])] });
        this.out.finish();
        return;
      }
      case 'combined':
        this.coordinators.get(msg.coordinator)?.combined?.(msg.value);
        return;
      default:
        assertNever(msg);
    }
  }
}
