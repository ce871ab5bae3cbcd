/**
 * The seam between the engine and the roles (echo, fan-out, SSE listener). A role is one class
 * in src/worker/roles/ implementing `Session`; it reaches the rest of the worker only through
 * `RoleHost`, so a role can be driven by a small fake host in a test, and a new role needs no
 * change to the engine.
 */
import type { DueItem } from '../load/due-heap.js';
import type { Counters } from '../metrics/counters.js';
import type { ErrorClass } from '../metrics/error-classes.js';
import type { MetricId } from '../metrics/metric-ids.js';
import type { ClientConnection, ConnectionEnd, ConnectionHandler, ProtocolDriver } from '../protocol/driver.js';
import type { ProbeWriter } from '../protocol/payload.js';
import type { ConnectionOptions, Group, LoadModel } from '../scenario/types.js';

/** A send later than this against its intended time counts in `sends_missed`. */
export const MISSED_SEND_THRESHOLD_US = 10_000;

/** A group as a worker runs it: the spec plus what is resolved once per worker. */
export interface GroupRuntime {
  index: number;
  spec: Group;
  url: string;
  driver: ProtocolDriver;
  probe: ProbeWriter;
}

/** What a session may ask of the worker it runs in. */
export interface RoleHost {
  /** The load of the current phase's steady part; undefined while idle or ramping phase 1. */
  readonly load: LoadModel | undefined;
  /** True once the run is ending: sessions must not start new work. */
  readonly draining: boolean;
  readonly connection: ConnectionOptions;
  /** The worker's counters of the current interval: read it per event, never keep it. */
  readonly counters: Counters;
  /** Records a sample into a histogram: in the measured window only, unless `measured` says otherwise. */
  record(metric: MetricId, us: number, measured?: boolean): void;
  /** Counts one error of `errorClass`. */
  error(errorClass: ErrorClass): void;
  /** A sentence the report must carry (said once however often it is noted). */
  note(text: string): void;
  /** Puts a paced session on the pacer at its `dueUs`. */
  schedule(s: PacedSession): void;
  /** The session's connection opened after `connectUs`. */
  opened(s: Session, connectUs: number): void;
  /** The session ended for good. */
  ended(s: Session, end: ConnectionEnd): void;
  /** A connection of the session ended, but the session reopens it itself (SSE reconnects). */
  interrupted(s: Session, end: ConnectionEnd): void;
}

export interface Session extends ConnectionHandler {
  conn: ClientConnection;
  readonly group: GroupRuntime;
  /** Position among all connections of the run (-1 for a reconnect). */
  readonly globalIndex: number;
  isOpen: boolean;
  hasEnded: boolean;
  /** Index in the engine's live list (O(1) removal). */
  liveIndex: number;
  /** The steady part of a phase began (or a reconnect opened) under `load`. */
  startLoad?(load: LoadModel, nowUs: number): void;
  /** Messages still awaiting an answer (the drain waits for them). */
  readonly pending?: number;
  /** Drops messages outstanding longer than `limitUs`; returns how many. */
  expire?(nowUs: number, limitUs: number): number;
  /** Gives up on everything outstanding; returns how many messages that loses. */
  abandon?(): number;
  /**
   * True while the session waits to reopen its own connection (an SSE stream's browser-style
   * reconnect): neither open nor an attempt a ramp should wait for.
   */
  readonly isReconnecting?: boolean;
  /** The session reopens its connection by its protocol's rules (SSE); the run-level `reconnect` stays out. */
  readonly ownsReconnects?: boolean;
}

/** A session that sends on a schedule: the pacer hands it its turns. */
export interface PacedSession extends Session, DueItem {
  /** The pacer found this session due (`dueUs` within the pacer's early window of `nowUs`); it reschedules itself. */
  onDue(nowUs: number): void;
  /**
   * True while this session's sends are late because it waits for the server's replies
   * (request/response emulation), so the pacer does not blame the generator for them.
   */
  readonly isWaitingOnServer: boolean;
}

/** True for sessions the pacer can hold. */
export function isPaced(s: Session): s is PacedSession {
  return typeof (s as Partial<PacedSession>).onDue === 'function';
}

/** Builds a session of one role; `coordinator` is the role's per-worker state, when it has one. */
export type SessionFactory = (host: RoleHost, group: GroupRuntime, globalIndex: number, coordinator: unknown) => Session;
