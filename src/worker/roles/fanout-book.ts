/**
 * Fan-out bookkeeping: what a worker knows about publishing and delivery beyond any one
 * session, and how deliveries are counted exactly across worker processes.
 *
 * ## How `deliveries_expected` is counted
 *
 * A delivery is one (message, subscriber) pair. Publishers publish only in the steady part of
 * a phase: the runner starts a part once every connection of the phase is open or has failed,
 * and a ramp (or the drain) stops publishing before any connection joins or leaves. So within
 * one part the set of subscribers does not change, except for connections the server (or the
 * network) ends, and for reconnects.
 *
 * Every message carries the part it was published in (`rtf:<publisher>:<part>:<seq>:<t>;`).
 * For each part, a subscriber is either
 * - a *full member*: open when the part's steady time began and not ended before the next
 *   ramp (or, for the last part, before the drain). It expects every message published in
 *   that part (less its own when the server does not relay to the sender). The counts come
 *   from the publishers: at the drain each worker reports what it published per part, the
 *   runner adds them up and sends the totals back, and each subscriber compares them with the
 *   distinct messages it received. Losses anywhere in a stream, its tail included, count;
 * - a *partial member* (it joined mid-part by reconnecting, left mid-part because the server
 *   closed it, even with 1000, or was closed by a ramp-down while the part's last messages
 *   may still have been in flight): it expects, per publisher, every seq from the first to
 *   the last it saw. Only gaps count, so joins and leaves never show as losses.
 *
 * A server's own publisher (stamps without a publisher id) is one stream with no parts. A
 * subscriber expects every seq from the first it saw after the first steady part began; if it
 * was still open at the drain, up to the highest seq any subscriber of the run had seen when
 * the drain began: that message was published while everyone was connected.
 *
 * The drain waits until each subscriber has every delivery it expects, or the reply timeout.
 * Then `deliveries_expected = deliveries_received + msgs_lost` holds per subscriber and in
 * total, `deliveries_received` counting each (message, subscriber) once; `msgs_duplicated`
 * and `msgs_reordered` count repeats and late arrivals (a reordered delivery is received).
 */
import type { Counters } from '../../metrics/counters.js';
import { keepWorst } from '../../metrics/fanout-section.js';
import type { FanoutSubscriberStat } from '../../metrics/result.js';
import type { FanoutSpec, Scenario } from '../../scenario/types.js';
import { SCENARIO_DEFAULTS } from '../../scenario/validate.js';
import { type Shard, shardedPublisherId, WHOLE_RUN } from '../../scenario/shard.js';
import { wallClockShiftUs } from '../../load/clock.js';
import type { WorkerCoordinator } from '../coordinator.js';
import type { GroupRuntime } from '../session.js';
import { FanoutWriter } from './fanout-stamp.js';
import type { SeqTracker } from './seq-tracker.js';

/** A worker's fan-out publishing, sent to the main side as the drain begins (see above). */
export interface FanoutPublished {
  /** Messages this worker's publishers sent in each phase's steady part. */
  publishedByPart: number[];
  /** Highest seq any of its subscribers had seen from a server's own (id-less) stream; -1: none. */
  serverMaxSeq: number;
}

/** The run-wide sums of every worker's {@link FanoutPublished}, sent back to each worker. */
export interface FanoutTotals extends FanoutPublished {
  /** Every worker reported; false when one died first (its publishes are then unknown). */
  isComplete: boolean;
}

/** A worker's fan-out figures, in its final report. */
export interface FanoutWorkerSummary {
  publishers: number;
  subscribers: number;
  published: number;
  /** Lowest and highest seq seen from a server's own stream (-1: none), to size its publishing. */
  serverSeqMin: number;
  serverSeqMax: number;
  /** This worker's worst subscribers, worst first. */
  worst: FanoutSubscriberStat[];
}

/** A subscriber's final figures, and whether it got more than was published. */
export interface SubscriberAccount {
  stat: FanoutSubscriberStat;
  isSurplus: boolean;
}

/** What the book needs of a fan-out session (fanout.ts) for the final accounting. */
export interface FanoutMember {
  readonly publishes: boolean;
  readonly subscribes: boolean;
  readonly hasOpened: boolean;
  /** Messages it published, and how many of them came back to it. */
  readonly published: number;
  readonly ownReceived: number;
  /** The stream of a server's own publisher, when it saw one. */
  readonly serverStream: SeqTracker | undefined;
  /** Its expected and lost deliveries, given the run-wide counts (if any). */
  account(totals: FanoutTotals | undefined): SubscriberAccount;
}

/** One sentence for `FanoutResult.method` (the paragraph above, shortened). */
export const FANOUT_METHOD =
  'per subscriber and steady part: a subscriber open for the whole part expects every message published in it ' +
  '(publisher counts summed over workers at the drain); ' +
  "one that joined or left mid-part expects each publisher's seqs from the first to the last it saw; " +
  "a server's own stream counts from the first seq seen to the highest seen by anyone at the drain";

const INCOMPLETE_NOTE =
  'a generator process ended before reporting what it published: ' +
  'deliveries were counted from the sequence numbers seen (gaps only), so losses at the end of a stream are not counted';
const SURPLUS_NOTE =
  'a subscriber received more distinct messages in a part than rtbench published in it: ' +
  'another client publishes rtbench stamps to the same target (counted as expected)';
const OWN_ECHO_NOTE = 'publishers received their own messages although fanout.includeSender is false (counted as unexpected)';
const NO_OWN_ECHO_NOTE =
  'no publisher received its own messages: if the server does not relay to the sender, ' +
  'set fanout.includeSender to false (they were counted as lost)';
const FOREIGN_CLOCK_NOTE =
  'some stamps were later than their receive time: ' +
  "that publisher does not share this host's monotonic clock, so those deliveries have no fanout_latency sample";

const SHARDED_NOTE =
  "sharded run: deliveries from other shards' publishers are counted from the seqs seen (gaps only, not a stream's tail), " +
  'and fanout_latency is timed on wall clocks: across hosts it is as exact as their clock synchronisation';

/** One per worker process: phase state, publisher ids, publish counts, and the final accounting. */
export class FanoutBook implements WorkerCoordinator {
  readonly spec: FanoutSpec;
  readonly lateAfterUs: number;
  /** Phases in the scenario: parts are phase indexes below this. */
  readonly partCount: number;
  /** Phase being ramped or held; -1 before the first. */
  phase = -1;
  /** True in a steady part: publishers publish only then. */
  isSteady = false;
  /** The last part whose steady time began; -1 before the first. */
  lastStartedPart = -1;
  /** True from the drain on. */
  isDraining = false;
  /** Messages this worker's publishers sent, per part. */
  readonly publishedByPart: number[];
  /** The run-wide counts, once every worker has reported at the drain. */
  totals: FanoutTotals | undefined;
  /** Several shards publish to one target: other hosts' messages arrive too. */
  readonly isSharded: boolean;
  /**
   * Added to our stamps and receive times: 0 on one host (the shared monotonic clock); in a
   * sharded run, the wall clock, so a message published on another host is timed against
   * synchronised wall clocks (docs/architecture.md §11).
   */
  readonly stampShiftUs: number;
  /** Set by sessions on the hot path; turned into notes once, at the end. */
  sawOwnEcho = false;
  sawForeignClock = false;
  private readonly members: FanoutMember[] = [];
  private readonly writers = new Map<number, FanoutWriter>();
  private nextLocalPublisher = 0;
  private nextReconnect = 0;

  constructor(
    scenario: Scenario,
    private readonly workerIndex: number,
    private readonly workerCount: number,
    private readonly notes: Set<string>,
    private readonly shard: Shard = WHOLE_RUN,
  ) {
    this.spec = scenario.fanout ?? SCENARIO_DEFAULTS.fanout;
    this.isSharded = shard.count > 1;
    this.stampShiftUs = this.isSharded ? wallClockShiftUs() : 0;
    this.lateAfterUs = this.spec.lateAfterMs * 1000;
    this.partCount = scenario.phases.length;
    this.publishedByPart = new Array<number>(this.partCount).fill(0);
  }

  /** A publisher id no other session of the run has: worker- and shard-interleaved, so no coordination. */
  allocatePublisherId(): number {
    return shardedPublisherId(this.nextLocalPublisher++ * this.workerCount + this.workerIndex, this.shard);
  }

  /**
   * True for a publisher of this shard, whose counts come back at the drain; another shard's
   * (another host's) are counted from the seqs seen, like a partial member's.
   */
  isLocalPublisher(publisherId: number): boolean {
    return !this.isSharded || publisherId % this.shard.count === this.shard.index;
  }

  /** A label for a reconnect's session (it has no connection index of its own). */
  reconnectLabel(group: string): string {
    const shard = this.isSharded ? `${this.shard.index}.` : '';
    return `${group}#r${shard}${this.workerIndex}.${this.nextReconnect++}`;
  }

  /** The group's message builder, shared by its sessions in this worker. */
  writerFor(group: GroupRuntime): FanoutWriter {
    let w = this.writers.get(group.index);
    if (w === undefined) {
      const m = group.spec.message;
      w = new FanoutWriter(m.sizeBytes, m.template);
      this.writers.set(group.index, w);
    }
    return w;
  }

  /** Registers a session for the final accounting. */
  join(session: FanoutMember): void {
    this.members.push(session);
  }

  /** Phase `index`'s ramp begins: publishing stops until its steady part. */
  rampStarted(index: number): void {
    this.phase = index;
    this.isSteady = false;
  }

  /** Phase `index`'s steady part begins (before the engine applies its load). */
  steadyStarted(index: number): void {
    this.phase = index;
    this.isSteady = true;
    this.lastStartedPart = index;
  }

  /** The drain begins: publishing stops for good; returns what this worker published. */
  drainStarted(): FanoutPublished {
    this.isDraining = true;
    this.isSteady = false;
    let serverMaxSeq = -1;
    for (const m of this.members) {
      const s = m.serverStream;
      if (s !== undefined && s.high > serverMaxSeq) serverMaxSeq = s.high;
    }
    return { publishedByPart: [...this.publishedByPart], serverMaxSeq };
  }

  /** The runner's sums over every worker arrived. */
  combined(totals: unknown): void {
    this.totals = totals as FanoutTotals;
  }

  /**
   * Counts every subscriber's expected and lost deliveries into the recorder (after the
   * drain, when every session has ended or been abandoned) and summarises the worker.
   */
  finalise(counters: Counters): FanoutWorkerSummary {
    const t = this.totals;
    if (t !== undefined && !t.isComplete) this.notes.add(INCOMPLETE_NOTE);
    const worst: FanoutSubscriberStat[] = [];
    let publishers = 0;
    let subscribers = 0;
    let published = 0;
    let ownPublished = 0;
    let ownReceived = 0;
    let serverSeqMin = -1;
    let serverSeqMax = -1;
    let isSurplus = false;
    for (const m of this.members) {
      if (m.published > 0) publishers++;
      published += m.published;
      if (!m.subscribes || !m.hasOpened) continue;
      subscribers++;
      if (m.publishes) {
        ownPublished += m.published;
        ownReceived += m.ownReceived;
      }
      const s = m.serverStream;
      if (s !== undefined) {
        if (serverSeqMin < 0 || s.low < serverSeqMin) serverSeqMin = s.low;
        if (s.high > serverSeqMax) serverSeqMax = s.high;
      }
      const a = m.account(t);
      if (a.isSurplus) isSurplus = true;
      counters.deliveries_expected += a.stat.expected;
      counters.msgs_lost += a.stat.lost;
      keepWorst(worst, a.stat);
    }
    if (isSurplus) this.notes.add(SURPLUS_NOTE);
    if (this.sawOwnEcho) this.notes.add(OWN_ECHO_NOTE);
    if (this.spec.includeSender && ownPublished > 0 && ownReceived === 0 && counters.deliveries_received > 0)
      this.notes.add(NO_OWN_ECHO_NOTE);
    if (this.sawForeignClock) this.notes.add(FOREIGN_CLOCK_NOTE);
    if (this.isSharded) this.notes.add(SHARDED_NOTE);
    return { publishers, subscribers, published, serverSeqMin, serverSeqMax, worst };
  }
}
