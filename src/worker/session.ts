/**
 * What the engine needs from a connection's role (echo, fan-out, SSE listener): react to the
 * phase's load, to the pacer, to reply timeouts, and account for what is left at the end.
 * Each role is one class in src/worker/roles/ implementing this.
 */
import type { DueItem } from '../load/due-heap.js';
import type { ClientConnection, ConnectionHandler, ProtocolDriver } from '../protocol/driver.js';
import type { ProbeWriter } from '../protocol/payload.js';
import type { Group, LoadModel } from '../scenario/types.js';
import type { Engine } from './engine.js';

/** A group as a worker runs it: the spec plus what is resolved once per worker. */
export interface GroupRuntime {
  index: number;
  spec: Group;
  url: string;
  driver: ProtocolDriver;
  probe: ProbeWriter;
}

export interface Session extends ConnectionHandler, DueItem {
  conn: ClientConnection;
  readonly group: GroupRuntime;
  /** Position among all connections of the run (-1 for a reconnect). */
  readonly globalIndex: number;
  isOpen: boolean;
  hasEnded: boolean;
  /** Index in the engine's live list (O(1) removal). */
  liveIndex: number;
  /** The steady part of a phase began (or a reconnect opened) under `load`. */
  startLoad(load: LoadModel, nowUs: number): void;
  /** The pacer found this session due (`dueUs` within `EARLY_SEND_US` of `nowUs`); it reschedules itself. */
  onDue(nowUs: number): void;
  /** Drops messages outstanding longer than `limitUs`; returns how many. */
  expire(nowUs: number, limitUs: number): number;
  /**
   * True while this session's sends are late because it waits for the server's replies
   * (open loop with an in-flight cap), so the pacer does not blame the generator for them.
   */
  readonly isWaitingOnServer: boolean;
  /** Messages still awaiting an answer (the drain waits for none). */
  readonly pending: number;
  /** Gives up on everything outstanding; returns how many messages that loses. */
  abandon(): number;
  /**
   * True while the session waits to reopen its own connection (an SSE stream's browser-style
   * reconnect): neither open nor an attempt a ramp should wait for.
   */
  readonly isReconnecting?: boolean;
  /** The session reopens its connection by its protocol's rules (SSE); the run-level `reconnect` stays out. */
  readonly ownsReconnects?: boolean;
}

/** Builds a session of one role. */
export type SessionFactory = (engine: Engine, group: GroupRuntime, globalIndex: number) => Session;
