/**
 * Main side of the workers: starts one generator per worker, posts each its plan, relays
 * phase commands, and passes every interval report to the caller. A worker that exits without
 * its final report is recorded as crashed; what it sent before still counts.
 *
 * Several workers are child processes (the open-files limit is per process). A lone worker
 * runs in this process behind the same messages: a second process costs ~70 MiB of fixed
 * memory for nothing, and one event loop serves both at ~1% CPU for the runner's share
 * (docs/architecture.md §6).
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { MainCoordinator } from './coordinator.js';
import { assertNever, type FromWorker, type IntervalReport, type ToWorker, type WorkerPlan } from './messages.js';
import { WorkerHost } from './worker-host.js';

/** How the pool reaches one worker, wherever it runs. */
interface WorkerLink {
  send(msg: ToWorker): void;
  kill(): void;
}

interface LinkEvents {
  onMessage(msg: FromWorker): void;
  onExit(reason: string): void;
}

function forkWorker(events: LinkEvents): WorkerLink {
  const entry = fileURLToPath(new URL('./entry.js', import.meta.url));
  const child = fork(entry, [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: ['--max-old-space-size=8192'],
    serialization: 'advanced',
  });
  child.on('message', (msg: FromWorker) => events.onMessage(msg));
  child.on('exit', (code, signal) => events.onExit(signal ?? `code ${code}`));
  return {
    send: (msg) => {
      if (child.connected) child.send(msg);
    },
    kill: () => child.kill('SIGKILL'),
  };
}

/**
 * A worker in this process. Messages are cloned and delivered on a later turn of the loop, as
 * IPC would: neither side can share an object with the other or run inside the other's call.
 */
function inProcessWorker(events: LinkEvents): WorkerLink {
  let isGone = false;
  const host = new WorkerHost({
    send: (msg) => {
      // Once killed, nothing more reaches the runner (its result may already be built).
      if (isGone) return;
      const copy = structuredClone(msg);
      setImmediate(() => events.onMessage(copy));
    },
    finish: () => {
      if (isGone) return;
      isGone = true;
      setImmediate(() => events.onExit('finished'));
    },
  });
  return {
    send: (msg) => {
      if (isGone) return;
      const copy = structuredClone(msg);
      setImmediate(() => host.handle(copy));
    },
    kill: () => {
      if (isGone) return;
      isGone = true;
      host.abort();
      setImmediate(() => events.onExit('stopped'));
    },
  };
}

interface WorkerHandle {
  index: number;
  link: WorkerLink;
  ready: boolean;
  done: boolean;
  exited: boolean;
  ramped: Map<number, number>;
}

export interface PoolEvents {
  onInterval(workerIndex: number, report: IntervalReport): void;
  /** A worker died without its final report, or reported a fatal error. */
  onCrash(workerIndex: number, reason: string): void;
}

export class WorkerPool {
  private readonly workers: WorkerHandle[] = [];
  private readonly notes = new Set<string>();
  private readonly waiters = new Set<() => void>();
  /** Per coordinator: each worker's value at the start of the drain, until all are in. */
  private readonly drainValues = new Map<string, Map<number, unknown>>();
  private readonly combinedSent = new Set<string>();

  private constructor(
    private readonly events: PoolEvents,
    private readonly coordinators: ReadonlyMap<string, MainCoordinator>,
  ) {}

  /** Forks a worker per plan and resolves when all are ready. */
  static async start(
    plans: WorkerPlan[],
    events: PoolEvents,
    coordinators: ReadonlyMap<string, MainCoordinator> = new Map(),
  ): Promise<WorkerPool> {
    const pool = new WorkerPool(events, coordinators);
    const start = plans.length === 1 ? inProcessWorker : forkWorker;
    for (const plan of plans) {
      const handle = { index: plan.workerIndex, ready: false, done: false, exited: false, ramped: new Map() } as WorkerHandle;
      pool.workers.push(handle);
      handle.link = start({
        onMessage: (msg) => pool.onMessage(handle, msg),
        onExit: (reason) => {
          handle.exited = true;
          if (!handle.done) events.onCrash(handle.index, `worker ${handle.index} exited (${reason}) before its final report`);
          pool.relayCombined();
          pool.wake();
        },
      });
      handle.link.send({ type: 'start', plan });
    }
    await pool.until(() => pool.workers.every((w) => w.exited || w.ready));
    return pool;
  }

  /** Sends a command to every live worker. */
  broadcast(msg: ToWorker): void {
    for (const w of this.workers) if (!w.exited) w.link.send(msg);
  }

  /** Resolves with the connections open after every live worker finished phase `index`'s ramp. */
  async waitRamped(index: number, isCancelled: () => boolean): Promise<number> {
    await this.until(() => isCancelled() || this.workers.every((w) => w.exited || w.ramped.has(index)));
    return this.workers.reduce((a, w) => a + (w.ramped.get(index) ?? 0), 0);
  }

  /** Asks every worker to drain and waits for their final reports (bounded by `limitMs`). */
  async drain(waitMs: number, limitMs: number): Promise<string[]> {
    this.broadcast({ type: 'drain', waitMs });
    const deadline = Date.now() + limitMs;
    await this.until(() => Date.now() > deadline || this.workers.every((w) => w.exited), 100);
    for (const w of this.workers) if (!w.exited) w.link.kill();
    return [...this.notes];
  }

  get anyCrashed(): boolean {
    return this.workers.some((w) => w.exited && !w.done);
  }

  /** Kills every worker at once (used when the runner itself fails). */
  kill(): void {
    for (const w of this.workers) if (!w.exited) w.link.kill();
  }

  private onMessage(w: WorkerHandle, msg: FromWorker): void {
    switch (msg.type) {
      case 'ready':
        w.ready = true;
        break;
      case 'ramped':
        w.ramped.set(msg.index, msg.open);
        break;
      case 'interval':
        this.events.onInterval(w.index, msg.report);
        break;
      case 'done':
        w.done = true;
        for (const n of msg.notes) this.notes.add(n);
        this.events.onInterval(w.index, msg.report);
        break;
      case 'fatal':
        this.events.onCrash(w.index, `worker ${w.index} failed: ${msg.message}`);
        break;
      case 'drain_started': {
        let values = this.drainValues.get(msg.coordinator);
        if (!values) this.drainValues.set(msg.coordinator, (values = new Map()));
        values.set(w.index, msg.value);
        this.relayCombined();
        break;
      }
      default:
        assertNever(msg);
    }
    this.wake();
  }

  /**
   * Once every worker still running has sent a coordinator's drain value, sends the main
   * side's combination back to all of them (fan-out: the run-wide publish counts, which tell
   * each subscriber what it expects). A worker that died first makes it incomplete.
   */
  private relayCombined(): void {
    for (const [name, values] of this.drainValues) {
      if (this.combinedSent.has(name)) continue;
      if (!this.workers.every((w) => w.exited || values.has(w.index))) continue;
      const combine = this.coordinators.get(name)?.combine;
      // A worker waits for the answer through its drain: a value nobody combines is a bug.
      if (!combine) throw new Error(`coordinator "${name}" sent a drain value but its main side has no combine()`);
      this.combinedSent.add(name);
      const isComplete = values.size === this.workers.length;
      this.broadcast({ type: 'combined', coordinator: name, value: combine([...values.values()], isComplete) });
    }
  }

  /** Waits until `condition` holds, re-checked on every worker event and every `pollMs`. */
  private until(condition: () => boolean, pollMs = 50): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (!condition()) return;
        clearInterval(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setInterval(check, pollMs);
      this.waiters.add(check);
      check();
    });
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}
