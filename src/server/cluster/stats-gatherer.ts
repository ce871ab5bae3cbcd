/**
 * `/stats` for a multi-process server, in the primary (primary.ts): one request asks every live
 * worker for its counters and settles when each has answered or exited, with the sum over all
 * of them and each worker's share in `by_process`.
 */
import { ExitCode, RtbenchError } from '../../errors.js';
import { emptyServerStats, mergeServerStats, type ProcessStats, type ServerStats } from '../stats.js';

/** A worker as far as its counters are concerned. */
export interface StatsSource {
  readonly index: number;
  readonly pid: number;
  readonly hasExited: boolean;
}

/** One worker's answer. */
export interface WorkerCounters {
  stats: ServerStats;
  isAccepting: boolean;
}

/** How long a worker may take to answer. */
const STATS_TIMEOUT_MS = 2000;

interface Gathering<W> {
  answers: Map<W, WorkerCounters>;
  settle: (err?: Error) => void;
}

/** The stats requests in flight, keyed by id. */
export class StatsGatherer<W extends StatsSource> {
  private readonly inFlight = new Map<number, Gathering<W>>();
  private nextId = 0;

  /** `ask(worker, id, reset)` sends the request; each answer must come back to `onAnswer`. */
  constructor(
    private readonly workers: readonly W[],
    private readonly ask: (worker: W, id: number, reset: boolean) => void,
  ) {}

  /**
   * Every live worker's counters added up (each zeroed first when `reset`). Rejects when no
   * worker is left or one does not answer within 2 s.
   */
  gather(reset: boolean): Promise<ServerStats> {
    const live = this.workers.filter((w) => !w.hasExited);
    if (live.length === 0) return Promise.reject(new RtbenchError('reference server has exited', ExitCode.Internal));
    const id = this.nextId++;
    return new Promise<ServerStats>((resolve, reject) => {
      const answers = new Map<W, WorkerCounters>();
      const timer = setTimeout(
        () => settle(new RtbenchError(`a worker did not report its counters within ${STATS_TIMEOUT_MS / 1000} s`, ExitCode.Internal)),
        STATS_TIMEOUT_MS,
      );
      const settle = (err?: Error): void => {
        clearTimeout(timer);
        this.inFlight.delete(id);
        if (err) return reject(err);
        resolve(sumOverWorkers(this.workers, (w) => answers.get(w)));
      };
      this.inFlight.set(id, { answers, settle });
      for (const w of live) this.ask(w, id, reset);
    });
  }

  /** A worker's answer to request `id`. */
  onAnswer(worker: W, id: number, counters: WorkerCounters): void {
    const g = this.inFlight.get(id);
    if (!g) return;
    g.answers.set(worker, counters);
    this.settleIfComplete(g);
  }

  /** A worker has exited: requests that waited only for it settle with the others' counters. */
  onExit(): void {
    for (const g of [...this.inFlight.values()]) this.settleIfComplete(g);
  }

  /** Rejects every request in flight (shutdown). */
  rejectAll(err: Error): void {
    for (const g of [...this.inFlight.values()]) g.settle(err);
  }

  private settleIfComplete(g: Gathering<W>): void {
    if (this.workers.every((w) => w.hasExited || g.answers.has(w))) g.settle();
  }
}

/**
 * The sum of the workers' counters, with `by_process` listing each (zeros for a worker that has
 * no counters to give).
 */
export function sumOverWorkers<W extends StatsSource>(
  workers: readonly W[],
  countersOf: (w: W) => WorkerCounters | undefined,
): ServerStats {
  const all = workers.map((w) => countersOf(w));
  const total = mergeServerStats(all.map((c) => c?.stats ?? emptyServerStats()));
  const byProcess: ProcessStats[] = workers.map((w, i) => {
    const s = all[i]?.stats ?? emptyServerStats();
    return {
      worker: w.index,
      pid: w.pid,
      is_accepting: all[i]?.isAccepting ?? false,
      connections_accepted: s.connections_accepted,
      connections_open: s.connections_open,
      msgs_received: s.msgs_received,
      msgs_sent: s.msgs_sent,
      msgs_dropped_slow: s.msgs_dropped_slow,
      sse_events_sent: s.sse_events_sent,
    };
  });
  return { ...total, by_process: byProcess };
}
