/**
 * The frozen, JSON-serialisable plan a run executes: the resolved scenario plus the target and
 * how the work is spread. Everything after the CLI receives this, never yargs arguments.
 */
import type { ServerProfile } from '../server/options.js';
import type { Shard } from './shard.js';
import type { Scenario } from './types.js';

/** Where the load goes. */
export interface TargetPlan {
  /** Full URL of the endpoint; empty until the embedded server has started. */
  url: string;
  /** The bundled reference server started by rtbench in its own process. */
  embedded: boolean;
  /** Short label used when comparing runs (`embedded`, or host:port/path). */
  label: string;
  /** A server command rtbench starts, waits for and stops around the run (`--server`). */
  launch?: { command: string; readyTimeoutMs: number; url?: string };
  /** A server the user started, whose process tree rtbench samples (`--server-pid`). */
  serverPid?: number;
}

/** CPUs each side runs on (`--server-cpus`, `--client-cpus`), as taskset lists. */
export interface Pinning {
  server?: string;
  client?: string;
}

export interface RunPlan {
  scenario: Scenario;
  target: TargetPlan;
  /** Generator processes; connections are split evenly across them. */
  workers: number;
  /** Options for the embedded reference server (ignored for an external target). */
  embeddedServer: { echoDelayMs: number; echoSerial: boolean; publishIntervalMs: number; processes: number; profile: ServerProfile };
  /** Source addresses named by the user (`--source-ips`); absent: chosen for loopback when needed. */
  sourceIps?: string[];
  /** CPU pinning asked for; absent: the kernel schedules both sides anywhere. */
  pinning?: Pinning;
  /** This process's shard of a run split over several hosts (`--shard`); absent: the whole run. */
  shard?: Shard;
  /** `--start-at`: the wall-clock instant (epoch ms) the first phase's load starts, after the ramp. */
  startAtMs?: number;
  /** Decisions taken for the user that the report should state (e.g. workers added for fd limits). */
  notes: string[];
  /** Snapshot period for the time series and progress line. */
  intervalMs: number;
  /** Grace for in-flight replies after Ctrl-C (a normal end waits the reply timeout). */
  interruptGraceMs: number;
}
