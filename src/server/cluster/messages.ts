/**
 * Every control message between the cluster primary (primary.ts) and its workers
 * (worker.ts), as discriminated unions so both sides switch exhaustively. They travel
 * on the cluster's JSON IPC channel; broadcast messages do not, they use the relay socket pair
 * (relay-frames.ts), which is several times cheaper per message.
 */
import type { ReferenceServerOptions } from '../options.js';
import type { SerializedServerError } from '../serialized-error.js';
import type { ServerStats } from '../stats.js';

/**
 * What a worker is to serve, passed in its environment as JSON under `WORKER_SETTINGS_ENV`:
 * the cluster channel starts delivering messages before the worker's module has loaded, so a
 * first message would be lost.
 */
export interface ClusterWorkerSettings {
  /** This worker's number, from 0. */
  worker: number;
  options: ReferenceServerOptions;
}

/** The environment variable that carries `ClusterWorkerSettings`. */
export const WORKER_SETTINGS_ENV = 'RTBENCH_SERVER_WORKER';

/** Primary to worker. */
export type ToClusterWorker =
  /** Reply `stats` with this worker's counters, zeroing them first when `reset`. */
  | { type: 'stats'; id: number; reset: boolean }
  /** The answer to `collect`: every process's counters added up, or why not. */
  | { type: 'collected'; id: number; stats?: ServerStats; error?: string }
  /** The answer to `pause`: whether this worker may stop accepting. */
  | { type: 'pause-answer'; isGranted: boolean }
  /** Stop accepting, close every client, reply `stopped`, then exit. */
  | { type: 'stop' };

/** Worker to primary. */
export type FromClusterWorker =
  /** Listening on `port` (every worker reports the same one). */
  | { type: 'ready'; port: number }
  | { type: 'failed'; error: SerializedServerError }
  /** Reply to `stats`. */
  | { type: 'stats'; id: number; stats: ServerStats; isAccepting: boolean }
  /** A `/stats` request reached this worker: gather every process's counters (`reset`: zero them first). */
  | { type: 'collect'; id: number; reset: boolean }
  /** At its connection limit: may it stop accepting? */
  | { type: 'pause' }
  /** Accepting again after a pause. */
  | { type: 'resumed' }
  /**
   * Told to stop: the counters before closing, kept by the primary in case the worker has to be
   * killed before it can send `stopped` (closing 20,000 clients on a busy machine takes seconds).
   */
  | { type: 'stopping'; stats: ServerStats }
  /** Closed; the final counters. The worker exits next. */
  | { type: 'stopped'; stats: ServerStats };
