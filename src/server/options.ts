/**
 * Options of the reference server, their defaults, and the check that turns a partial option
 * object into a complete one. Kept apart from the server so the embedded launcher and the CLI
 * can import the types without loading `ws`.
 */
import { UsageError } from '../errors.js';

/** Everything the reference server can be told. Times are milliseconds, sizes bytes. */
export interface ReferenceServerOptions {
  /** Address to bind. Default `127.0.0.1` (loopback: the server is a test target, not a service). */
  host: string;
  /** TCP port. Default 60000 (Hyperlane's port); 0 picks a free port. */
  port: number;
  /** Delay before each `/websocket` echo reply. Default 0 (reply at once). */
  echoDelayMs: number;
  /** Period of the server-side `/broadcast` publisher of stamped messages. Default 0 (off). */
  publishIntervalMs: number;
  /** Events sent on `/sse` before the connection is closed. Default 10 (the seed's count). */
  sseCount: number;
  /** Time between `/sse` events. Default 1000 (the seed's); 0 sends them in one burst. */
  sseIntervalMs: number;
  /** Time between `/sse/ticks` events. Default 100; must be > 0. */
  ticksIntervalMs: number;
  /** The `retry:` value sent first on `/sse/ticks`. Default 1000. */
  ticksRetryMs: number;
  /**
   * A client whose unsent bytes exceed this is skipped (the message is counted in
   * `msgs_dropped_slow`) so that one slow reader cannot stall the others. Default 1 MiB.
   */
  slowClientLimitBytes: number;
}

/** The values used for options that are not given. */
export const DEFAULT_SERVER_OPTIONS: Readonly<ReferenceServerOptions> = Object.freeze({
  host: '127.0.0.1',
  port: 60000,
  echoDelayMs: 0,
  publishIntervalMs: 0,
  sseCount: 10,
  sseIntervalMs: 1000,
  ticksIntervalMs: 100,
  ticksRetryMs: 1000,
  slowClientLimitBytes: 1024 * 1024,
});

type NumericOption = Exclude<keyof ReferenceServerOptions, 'host'>;

/** Rules per numeric option: the smallest allowed value and whether it must be whole. */
const NUMERIC_RULES: Record<NumericOption, { min: number; integer: boolean }> = {
  port: { min: 0, integer: true },
  echoDelayMs: { min: 0, integer: false },
  publishIntervalMs: { min: 0, integer: false },
  sseCount: { min: 0, integer: true },
  sseIntervalMs: { min: 0, integer: false },
  ticksIntervalMs: { min: 0.001, integer: false },
  ticksRetryMs: { min: 0, integer: true },
  slowClientLimitBytes: { min: 0, integer: true },
};

/**
 * Fills in defaults and checks every value, throwing one `UsageError` that lists each bad
 * option (for example `reference server: sseCount must be a whole number >= 0 (got -1)`).
 */
export function resolveServerOptions(opts: Partial<ReferenceServerOptions> = {}): ReferenceServerOptions {
  const defined = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined));
  const resolved: ReferenceServerOptions = { ...DEFAULT_SERVER_OPTIONS, ...defined };
  const problems: string[] = [];
  if (typeof resolved.host !== 'string' || resolved.host === '') {
    problems.push(`host must be a host name or address (got ${JSON.stringify(resolved.host)})`);
  }
  for (const [name, rule] of Object.entries(NUMERIC_RULES) as Array<[NumericOption, { min: number; integer: boolean }]>) {
    const v = resolved[name];
    const ok = typeof v === 'number' && Number.isFinite(v) && v >= rule.min && (!rule.integer || Number.isInteger(v));
    if (!ok) {
      const kind = rule.integer ? 'a whole number' : 'a number';
      const bound = rule.min > 0 && rule.min < 1 ? '> 0' : `>= ${rule.min}`;
      problems.push(`${name} must be ${kind} ${bound} (got ${JSON.stringify(v)})`);
    }
  }
  if (resolved.port > 65535) problems.push(`port must be at most 65535 (got ${resolved.port})`);
  if (problems.length > 0) throw new UsageError(problems.map((p) => `reference server: ${p}`).join('\n'));
  return resolved;
}
