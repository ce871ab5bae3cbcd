/**
 * The one handle of a running reference server, whoever runs it: this process
 * (`startReferenceServer`, reference-server.ts), this process as the primary of a cluster
 * (`startServerCluster`, cluster/primary.ts), or a child process running either
 * (`startEmbeddedServer`, embedded.ts). `startServer` (start-server.ts) picks between the first
 * two. Callers (`rtbench serve`, `rtbench run`, tests) need not know which one they hold.
 */
import type { ServerProfile } from './options.js';
import type { ServerStats } from './stats.js';

/** A running reference server of one or more processes, here or in a child process. */
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
  /**
   * The process this handle controls, for diagnostics: this one for a server started here (the
   * primary when `processes` > 1), the child for an embedded server.
   */
  readonly pid: number;
  /**
   * The counters now, summed over every process (the JSON of `GET /stats`). Rejects when they
   * cannot be had: an embedded server's child has exited, or no cluster worker is left (or one
   * does not answer within 2 s).
   */
  stats(): Promise<ServerStats>;
  /**
   * Closes every client (1001 for WebSocket, the end of SSE streams) and every process, and
   * resolves with the final counters: within 2 s for one process; processes that do not exit in
   * time are killed and their last counters seen are used. Calling it again returns the same
   * promise.
   */
  close(): Promise<ServerStats>;
  /**
   * Resolves if the server stops on its own: a cluster worker died and the others have been
   * stopped, or an embedded server's child exited without being asked to. Never resolves for a
   * one-process server in this process.
   */
  readonly failure: Promise<Error>;
}

/** `http://host:port`, with an IPv6 host in brackets. */
export function serverUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
