/**
 * Counters of the reference server, kept per endpoint as plain number fields so that counting
 * on the hot path is one property increment. Totals are summed only when a snapshot is taken.
 * The snake_case names are the JSON served on `GET /stats` (docs/architecture.md §9), so tests and the
 * generator can compare their own counts with what the server saw.
 */

/** The endpoints that keep their own counters; the keys of `ServerStats.by_endpoint`. */
export type EndpointName = 'websocket' | 'broadcast' | 'sse' | 'sse_ticks';

/** Every endpoint name, in the order `/stats` lists them. */
export const ENDPOINT_NAMES: readonly EndpointName[] = ['websocket', 'broadcast', 'sse', 'sse_ticks'];

/** The counters of one endpoint (or their totals over all endpoints). */
export interface EndpointStats {
  /** Connections accepted: WebSocket upgrades completed, or SSE requests answered with 200. */
  connections_accepted: number;
  /** Connections open now. A gauge: `/stats/reset` leaves it as it is. */
  connections_open: number;
  /** WebSocket messages received from clients. */
  msgs_received: number;
  /** WebSocket messages written to clients; a broadcast to n clients counts n. */
  msgs_sent: number;
  /** Messages (or SSE events) not written to a client whose send buffer was over the limit. */
  msgs_dropped_slow: number;
  /** SSE events written. */
  sse_events_sent: number;
  /**
   * Broadcast messages a lagging receiver lost to the ring overwriting them before its socket
   * took them (Hyperlane profiles, tokio `Lagged(n)`; with `lagPolicy: 'skip'`).
   */
  msgs_skipped_lagged: number;
  /**
   * Messages refused for being larger than `--max-message` (the connection is closed with 1009,
   * or dropped in the Hyperlane profiles).
   */
  msgs_too_large: number;
  /**
   * Times the server stopped reading a connection because its unsent replies (socket queue plus
   * delayed echoes) passed `--slow-client-limit`: a client that sends and does not read.
   */
  reads_paused: number;
  /** Upgrades refused: a browser `Origin` without `--allow-origin`. */
  upgrades_refused_origin: number;
  /** Connections closed for sending nothing for `--idle-timeout`. */
  idle_closed: number;
  /**
   * WebSocket closes: the code the server sent when it closed for a protocol fault (1002, 1007,
   * 1009), else the code the client sent (1005 when none was given, 1006 when abnormal).
   */
  closes_by_code: Record<string, number>;
  /**
   * Connections the server ended by closing TCP without a close frame (Hyperlane profiles), by
   * reason: `client_close`, `fragmented`, `unsupported_opcode`, `too_large`, `idle`, `lagged`,
   * `shutdown`.
   */
  drops_by_reason: Record<string, number>;
}

/** One worker's share of a multi-process server (`ServerStats.by_process`). */
export interface ProcessStats {
  /** Worker number, from 0 in fork order. */
  worker: number;
  pid: number;
  /** False while the worker has stopped accepting because it holds its connection limit. */
  is_accepting: boolean;
  connections_accepted: number;
  connections_open: number;
  msgs_received: number;
  msgs_sent: number;
  msgs_dropped_slow: number;
  sse_events_sent: number;
}

/** The JSON served on `GET /stats`: totals at the top level, and each endpoint's own counters. */
export interface ServerStats extends EndpointStats {
  by_endpoint: Record<EndpointName, EndpointStats>;
  /**
   * Only with `processes` > 1: each worker's totals, in worker order. The other fields are
   * then the sums over all workers.
   */
  by_process?: ProcessStats[];
}

/** Mutable counters of one endpoint, incremented in place by the endpoint handlers. */
export class EndpointCounters implements EndpointStats {
  connections_accepted = 0;
  connections_open = 0;
  msgs_received = 0;
  msgs_sent = 0;
  msgs_dropped_slow = 0;
  sse_events_sent = 0;
  msgs_skipped_lagged = 0;
  msgs_too_large = 0;
  reads_paused = 0;
  upgrades_refused_origin = 0;
  idle_closed = 0;
  closes_by_code: Record<string, number> = {};
  drops_by_reason: Record<string, number> = {};

  /** Counts one WebSocket close with `code` (1005 when none was given, 1006 when abnormal). */
  countClose(code: number): void {
    this.closes_by_code[code] = (this.closes_by_code[code] ?? 0) + 1;
  }

  /** Counts one connection the server dropped without a close frame, under `reason`. */
  countDrop(reason: string): void {
    this.drops_by_reason[reason] = (this.drops_by_reason[reason] ?? 0) + 1;
  }

  /** Zeroes every counter except the `connections_open` gauge. */
  reset(): void {
    this.connections_accepted = 0;
    this.msgs_received = 0;
    this.msgs_sent = 0;
    this.msgs_dropped_slow = 0;
    this.sse_events_sent = 0;
    this.msgs_skipped_lagged = 0;
    this.msgs_too_large = 0;
    this.reads_paused = 0;
    this.upgrades_refused_origin = 0;
    this.idle_closed = 0;
    this.closes_by_code = {};
    this.drops_by_reason = {};
  }

  /** A plain copy, safe to serialise and to keep after the counters move on. */
  snapshot(): EndpointStats {
    return {
      connections_accepted: this.connections_accepted,
      connections_open: this.connections_open,
      msgs_received: this.msgs_received,
      msgs_sent: this.msgs_sent,
      msgs_dropped_slow: this.msgs_dropped_slow,
      sse_events_sent: this.sse_events_sent,
      msgs_skipped_lagged: this.msgs_skipped_lagged,
      msgs_too_large: this.msgs_too_large,
      reads_paused: this.reads_paused,
      upgrades_refused_origin: this.upgrades_refused_origin,
      idle_closed: this.idle_closed,
      closes_by_code: { ...this.closes_by_code },
      drops_by_reason: { ...this.drops_by_reason },
    };
  }
}

/** The counters of every endpoint of one server. */
export class StatsBook {
  readonly websocket = new EndpointCounters();
  readonly broadcast = new EndpointCounters();
  readonly sse = new EndpointCounters();
  readonly sse_ticks = new EndpointCounters();

  /** Zeroes every counter (connection gauges excepted). */
  reset(): void {
    for (const name of ENDPOINT_NAMES) this[name].reset();
  }

  /** Totals plus per-endpoint copies, as served on `GET /stats`. */
  snapshot(): ServerStats {
    const byEndpoint = {} as Record<EndpointName, EndpointStats>;
    for (const name of ENDPOINT_NAMES) byEndpoint[name] = this[name].snapshot();
    return { ...sumEndpointStats(Object.values(byEndpoint)), by_endpoint: byEndpoint };
  }
}

/** Stats with every counter at zero, e.g. for a server that never started. */
export function emptyServerStats(): ServerStats {
  return new StatsBook().snapshot();
}

/**
 * Adds up the counters of several processes' servers: every count, gauge and close code is
 * summed per endpoint, and the totals are summed again from those. `by_process` is dropped.
 */
export function mergeServerStats(parts: readonly ServerStats[]): ServerStats {
  const byEndpoint = {} as Record<EndpointName, EndpointStats>;
  for (const name of ENDPOINT_NAMES) byEndpoint[name] = sumEndpointStats(parts.map((p) => p.by_endpoint[name]));
  return { ...sumEndpointStats(Object.values(byEndpoint)), by_endpoint: byEndpoint };
}

function sumEndpointStats(parts: EndpointStats[]): EndpointStats {
  const total = new EndpointCounters();
  for (const p of parts) {
    total.connections_accepted += p.connections_accepted;
    total.connections_open += p.connections_open;
    total.msgs_received += p.msgs_received;
    total.msgs_sent += p.msgs_sent;
    total.msgs_dropped_slow += p.msgs_dropped_slow;
    total.sse_events_sent += p.sse_events_sent;
    total.msgs_skipped_lagged += p.msgs_skipped_lagged;
    // Stats from a process of an older build may lack the newer counters.
    total.msgs_too_large += p.msgs_too_large ?? 0;
    total.reads_paused += p.reads_paused ?? 0;
    total.upgrades_refused_origin += p.upgrades_refused_origin ?? 0;
    total.idle_closed += p.idle_closed ?? 0;
    for (const [code, n] of Object.entries(p.closes_by_code)) {
      total.closes_by_code[code] = (total.closes_by_code[code] ?? 0) + n;
    }
    for (const [reason, n] of Object.entries(p.drops_by_reason)) {
      total.drops_by_reason[reason] = (total.drops_by_reason[reason] ?? 0) + n;
    }
  }
  return total.snapshot();
}
