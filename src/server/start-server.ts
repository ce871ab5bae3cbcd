/**
 * One way to start the reference server whatever its process count: in this process for
 * `processes` 1 (reference-server.ts), as a cluster with this process as primary otherwise
 * (cluster/primary.ts). `rtbench serve` and the embedded child use it.
 */
import { startServerCluster } from './cluster/primary.js';
import { resolveServerOptions, type ReferenceServerOptions } from './options.js';
import { startReferenceServer } from './reference-server.js';
import type { RunningServer } from './running-server.js';

/**
 * Starts the reference server with `opts.processes` processes (default 1) and resolves once it
 * accepts. Rejects with a `UsageError` for a bad option or a taken port.
 */
export async function startServer(opts: Partial<ReferenceServerOptions> = {}): Promise<RunningServer> {
  // Resolved only to pick the kind: each resolves `opts` itself (resolving twice would take
  // the defaults of Hyperlane-only options for options given).
  if (resolveServerOptions(opts).processes > 1) return startServerCluster(opts);
  return startReferenceServer(opts);
}
