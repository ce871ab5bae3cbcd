/**
 * The scenario model: what a scenario file says, after validation and defaults (docs/architecture.md §6).
 * All durations are milliseconds, rates per second, sizes bytes.
 */

/** Wire protocols rtbench drives. */
export type Protocol = 'ws' | 'sse';

/**
 * How messages are paced. `open`: a fixed schedule of intended send times per connection,
 * latency measured from the intended time (coordinated omission corrected); every message is
 * sent when it is due, whatever is outstanding (`maxInFlight` 0, the default). `maxInFlight` > 0
 * is request/response emulation (wrk2 over HTTP/1.1): a connection keeps at most that many
 * messages awaiting a reply, a due send waits for one, and its latency still counts from when
 * it was due. `closed`: `inFlight` messages outstanding per connection, the next one sent on
 * each reply.
 */
export type LoadModel =
  | { kind: 'open'; ratePerSec: number; arrival: 'uniform' | 'poisson'; maxInFlight: number }
  | { kind: 'closed'; inFlight: number; thinkTimeMs: number };

/** The message a connection sends. A stamp (seq + send time) is always embedded. */
export interface MessageSpec {
  /** Total payload size; grows to fit the stamp when smaller. */
  sizeBytes: number;
  /** Binary frames instead of text frames. */
  binary: boolean;
  /**
   * Optional text the payload starts with; `{iso}` is replaced by the send time as ISO 8601
   * (the Hyperlane seed client sends `Now time: <ISO date>`). Servers that echo unchanged keep
   * the stamp after it; servers that transform it are matched FIFO. Fan-out roles (publisher,
   * pubsub) also take `{stamp}` (where the fan-out stamp and the padding go; at the end when
   * absent) and `{x}`/`{y}` (a point moving with each message, e.g. whiteboard strokes).
   */
  template?: string;
}

/** How replies are matched to what was sent. */
export interface ReplySpec {
  /** Replies expected per message sent (Hyperlane's README `/ws` answers twice). */
  perMessage: number;
  /** Messages the server sends on its own right after connecting (a greeting), skipped. */
  skipFirst: number;
}

/** One step of the run: move the connection count, then hold the load for `durationMs`. */
export interface Phase {
  /** Steady time after the connection ramp. */
  durationMs: number;
  /** Connection count at the end of the ramp; the count at the start is the previous phase's. */
  connections: number;
  /** Connections opened (or closed) per second during the ramp; absent: as fast as possible. */
  connectRatePerSec?: number;
  /** Load applied to every open connection once the ramp is done; absent: connections idle. */
  load?: LoadModel;
  /**
   * End the phase as soon as no connection is left, open or reopening (streams that end by
   * design, like the seed's 10-event SSE stream): `durationMs` is then only an upper bound.
   */
  untilStreamsEnd?: boolean;
}

/** Per-connection limits and policies. */
export interface ConnectionOptions {
  handshakeTimeoutMs: number;
  replyTimeoutMs: number;
  /**
   * Hard bound on one connection's messages awaiting a reply (memory): past it the oldest is
   * given up, counted lost as `outstanding_limit`.
   */
  maxOutstanding: number;
  /** Largest incoming WebSocket message (`too_large` past it). */
  maxMessageBytes: number;
  /**
   * Largest SSE event, counted in raw body bytes before parsing (`too_large` past it). `maxMessage`
   * and `--max-message` set both limits; without them an SSE event may reach 1 MiB, since the
   * parser holds each pending byte several times over in strings.
   */
  maxEventBytes: number;
  /** Reopen a connection that failed or was closed by the server. */
  reconnect: boolean;
  headers: Record<string, string>;
  subprotocols: string[];
  origin?: string;
  /** Accept self-signed TLS certificates (wss://). */
  insecure: boolean;
  /** Negotiate permessage-deflate. */
  deflate: boolean;
}

/**
 * What a group's connections do. `echo`: send probes, time the replies. `publisher`: send
 * stamped messages for others to receive. `subscriber`: receive what publishers (or the
 * server) send. `pubsub`: both (chat, whiteboard). `listener`: SSE streams.
 */
export type Role = 'echo' | 'publisher' | 'subscriber' | 'pubsub' | 'listener';

/** A set of connections with one role; a scenario holds one or more (docs/architecture.md §6). */
export interface Group {
  name: string;
  protocol: Protocol;
  role: Role;
  /** Weight of this group in each phase's connection count (shares are normalised). */
  share: number;
  /** Target URL for this group; absent: the scenario's target, else the embedded server. */
  targetUrl?: string;
  /** Path on the embedded reference server. */
  path: string;
  message: MessageSpec;
  replies: ReplySpec;
  /** SSE settings; present for `sse` groups only. */
  sse?: SseSpec;
}

/**
 * Which SSE client runs the streams. `http`: node:http with eventsource-parser (the default:
 * about a third of the memory per stream). `eventsource`: the `eventsource` package, for
 * behaviour identical to a browser's EventSource.
 */
export type SseClient = 'http' | 'eventsource';

/** How an SSE group's streams behave (WHATWG HTML §9.2, docs/faults.md #15). */
export interface SseSpec {
  /**
   * Reopen a stream that ends or fails with a network error, as a browser does: after the
   * retry delay (3 s, or the server's `retry:`), sending `Last-Event-ID`. False: an end is final.
   */
  reconnect: boolean;
  /** Events each stream should deliver before the server ends it (the seed's: 10); absent: not checked. */
  expectEvents?: number;
  client: SseClient;
}

/** How a fan-out scenario's deliveries are counted (roles publisher, subscriber, pubsub). */
export interface FanoutSpec {
  /**
   * The server relays a message to its sender too, so a `pubsub` connection expects its own
   * messages. True for the reference server's `/broadcast` and the Hyperlane seed's broadcast.
   */
  includeSender: boolean;
  /** A delivery slower than this (one way) counts as late in the per-subscriber figures. */
  lateAfterMs: number;
}

/** What a scenario asks of the embedded reference server (ignored with a target). */
export interface EmbeddedServerSpec {
  /** Messages per second of the server's own `/broadcast` publisher (`{"seq":n,"t":ns}`). */
  publishRatePerSec: number;
}

/** A validated scenario with every default filled in. */
export interface Scenario {
  name: string;
  description?: string;
  /** Default target URL for every group; absent means the embedded reference server. */
  targetUrl?: string;
  groups: Group[];
  phases: Phase[];
  /** First part of the first phase's steady time excluded from histograms. */
  warmupMs: number;
  connection: ConnectionOptions;
  thresholds: string[];
  /** Present when a group has a fan-out role. */
  fanout?: FanoutSpec;
  /** Present when the scenario needs the embedded server to publish by itself. */
  server?: EmbeddedServerSpec;
}
