/**
 * Every message exchanged over IPC between `startEmbeddedServer` (parent) and child.ts, as
 * discriminated unions so both sides switch exhaustively. JSON-serialisable only.
 */
import type { ReferenceServerOptions, ServerProfile } from './options.js';
import type { SerializedServerError } from './serialized-error.js';
import type { ServerStats } from './stats.js';

export type { SerializedServerError } from './serialized-error.js';

/** Parent to child. */
export type ToServerChild =
  /**
   * Start listening with these options (host 127.0.0.1 and port 0 unless given); with
   * `processes` > 1 the child becomes the primary of a cluster (cluster/primary.ts).
   */
  | { type: 'start'; options: Partial<ReferenceServerOptions> }
  /** Reply with the current counters, tagged with `id`. */
  | { type: 'stats'; id: number }
  /** Close the server, reply `stopped`, then exit. */
  | { type: 'stop' };

/** Child to parent. */
export type FromServerChild =
  | { type: 'ready'; host: string; port: number; profile: ServerProfile; processes: number }
  | { type: 'failed'; error: SerializedServerError }
  | { type: 'stats'; id: number; stats: ServerStats }
  | { type: 'stopped'; stats: ServerStats };
