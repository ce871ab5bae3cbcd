/**
 * One way to start the reference server whatever its process count: in this process for
 * `processes` 1 (reference-server.ts), as a cluster with this process as primary otherwise
 * (cluster/primary.ts). `rtbench serve` and the embedded child use it.
 */
import { startServerCluster } from './cluster/primary.js';
import { resolveServerOptions, type ReferenceServerOptions, type ServerProfile } from './options.js';
import { startReferenceServer } from './reference-server.js';
import type { ServerStats } from './stats.js';

/** A running reference server of one or more processes. */
export interface RunningServer {
  /** The host it was bound to, as given. */
  readonly host: string;
  /** The port every process accepts on (the chosen one when started with port 0). */
  readonly port: number;
  /** `http://host:port`, with IPv6 hosts in brackets; use `ws:` for the WebSocket paths. */
  readonly url: string;
  /** The wire behaviour it imitates. */
  readonly profile: ServerProfile;
  /** Processes that accept connections (the primary of a cluster not counted). */
  readonly processes: number;
  /** The counters now, summed over every process (the JSON of `GET /stats`). */
  stats(): Promise<ServerStats>;
  /**
   * Closes every client (1001 for WebSocket) and every process, and resolves with the final
   * counters: within 2 s for one process; workers that have not exited after 10 s are killed
   * (their counters as of the stop request are used). Calling it again returns the same promise.
   */
  close(): Promise<ServerStats>;
  /**
   * Resolves if the server stops on its own: a worker process died, and the others have been
   * stopped. Never resolves for a one-process server.
   */
  readonly failure: Promise<Error>;
}

/**
 * Starts the reference server with `opts.processes` processes (default 1) and resolves once it
 * accepts. Rejects with a `UsageError` for a bad option or a taken port.
 */
export async function startServer(opts: Partial<ReferenceServerOptions> = {}): Promise<RunningServer> {
  // Resolved only to pick the kind: each resolves `opts` itself (resolving twice would take
  // the defaults of Hyperlane-only options for options given).
  if (resolveServerOptions(opts).processes > 1) return startServerCluster(opts);
  const server = await startReferenceServer(opts);
  return {
    host: server.host,
    port: server.port,
    url: server.url,
    profile: server.profile,
    processes: 1,
    stats: async () => server.stats(),
    close: () => server.close(),
    failure: new Promise<Error>(() => {}),
  };
}
