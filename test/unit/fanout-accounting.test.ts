/**
 * The fan-out delivery accounting (fanout-book.ts) driven step by step: a subscriber's
 * membership per part (full, or joined/left mid-way), tail losses from the run-wide publish
 * counts, the sender excluded or not, a server's own stream, and what publishers stamp.
 * The host is a small fake holding a real Recorder; sessions get no socket (pure logic).
 */
import { describe, expect, it } from 'vitest';
import { Recorder } from '../../dist/metrics/recorder.js';
import type { FanoutSubscriberStat } from '../../dist/metrics/result.js';
import { validateScenario } from '../../dist/scenario/validate.js';
import { FanoutBook, type FanoutTotals } from '../../dist/worker/roles/fanout-book.js';
import { mergeFanoutSummaries, sumFanoutPublished } from '../../dist/worker/roles/fanout-main.js';
import { FanoutSession } from '../../dist/worker/roles/fanout.js';
import type { GroupRuntime, RoleHost } from '../../dist/worker/session.js';

/** A pacer time past every due time in these tests. */
const LATER = 1e12;

type Role = 'publisher' | 'subscriber' | 'pubsub';

function world(options: { phases?: number; includeSender?: boolean } = {}) {
  const scenario = validateScenario(
    {
      name: 'acct',
      groups: [
        { name: 'pub', role: 'publisher' },
        { name: 'sub', role: 'subscriber' },
        { name: 'both', role: 'pubsub' },
      ],
      fanout: { includeSender: options.includeSender ?? true, lateAfter: '50ms' },
      phases: Array.from({ length: options.phases ?? 2 }, () => ({ duration: '1s', connections: 3, load: { rate: 10 } })),
    },
    'test',
  );
  const recorder = new Recorder();
  recorder.measuring = true;
  const notes = new Set<string>();
  const engine: RoleHost & { draining: boolean } = {
    draining: false,
    load: scenario.phases[0]!.load,
    connection: scenario.connection,
    counters: recorder.counters,
    record: (metric, us, measured) => recorder.record(metric, us, measured),
    error: (cls) => recorder.error(cls),
    note: (text) => notes.add(text),
    schedule() {},
    opened() {},
    ended() {},
    interrupted() {},
  };
  const book = new FanoutBook(scenario, 0, 1, notes);
  const groups = scenario.groups.map(
    (spec, index) => ({ index, spec, url: 'ws://x/', driver: undefined, probe: undefined }) as unknown as GroupRuntime,
  );
  const roleIndex = { publisher: 0, subscriber: 1, pubsub: 2 };
  let next = 0;
  const frames: string[] = [];
  const open = (role: Role): FanoutSession => {
    const s = new FanoutSession(engine, groups[roleIndex[role]]!, next++, book);
    s.conn = {
      send: (b: Buffer) => {
        frames.push(b.toString());
        return true;
      },
      bufferedBytes: 0,
      close() {},
    };
    s.onOpen(1000);
    return s;
  };
  const drain = (totals: FanoutTotals | undefined) => {
    const published = book.drainStarted();
    engine.draining = true;
    if (totals) book.combined(totals);
    return published;
  };
  const finish = () => book.finalise(recorder.counters);
  return { engine, book, recorder, notes, open, drain, finish, frames };
}

/** Delivers an rtbench stamp from publisher `pub` of `part` with `seq`, `latencyUs` late. */
function deliver(s: FanoutSession, pub: number, part: number, seq: number, latencyUs = 100): void {
  const sentUs = 1_000_000_000;
  s.onMessage(Buffer.from(`rtf:${pub}:${part}:${seq}:${sentUs};`), false, sentUs + latencyUs);
}

function serverMessage(s: FanoutSession, seq: number): void {
  s.onMessage(Buffer.from(`{"seq":${seq},"t":"1000000000000"}`), false, 1_000_000_500);
}

function statOf(s: FanoutSession, totals: FanoutTotals | undefined): FanoutSubscriberStat {
  return s.account(totals).stat;
}

describe('fan-out accounting', () => {
  it('a subscriber open for whole parts expects every publish, tail losses included', () => {
    const w = world();
    w.book.rampStarted(0);
    const sub = w.open('subscriber');
    w.book.steadyStarted(0);
    for (const seq of [0, 1, 2, 4]) deliver(sub, 100, 0, seq); // 3 lost in the middle
    deliver(sub, 200, 0, 0);
    w.book.rampStarted(1);
    w.book.steadyStarted(1);
    for (const seq of [0, 1]) deliver(sub, 100, 1, seq); // seq 2 of part 1 never came
    w.drain(undefined);
    expect(sub.pending).toBe(1); // the counts are not in yet: keep waiting
    w.book.combined({ publishedByPart: [7, 3], serverMaxSeq: -1, isComplete: true });
    // Part 0: 7 published (pub 100: 0..5, pub 200: 0), 5 received; part 1: 3 published, 2 received.
    expect(sub.pending).toBe(3);
    expect(w.recorder.counters.deliveries_received).toBe(7);
    sub.abandon();
    expect(sub.pending).toBe(0);
    const summary = w.finish();
    expect(w.recorder.counters.deliveries_expected).toBe(10);
    expect(w.recorder.counters.msgs_lost).toBe(3);
    expect(summary.worst[0]).toMatchObject({ subscriber: 'sub#0', expected: 10, received: 7, lost: 3, duplicated: 0, reordered: 0 });
  });

  it('counts duplicates and late arrivals, and a late arrival is still a delivery', () => {
    const w = world({ phases: 1 });
    w.book.rampStarted(0);
    const sub = w.open('subscriber');
    w.book.steadyStarted(0);
    for (const seq of [0, 2, 1, 2, 3]) deliver(sub, 5, 0, seq, seq === 3 ? 80_000 : 100);
    w.drain({ publishedByPart: [4], serverMaxSeq: -1, isComplete: true });
    expect(sub.pending).toBe(0);
    sub.abandon();
    w.finish();
    const c = w.recorder.counters;
    expect([c.deliveries_expected, c.deliveries_received, c.msgs_lost, c.msgs_duplicated, c.msgs_reordered]).toEqual([4, 4, 0, 1, 1]);
    // Every distinct delivery has one latency sample; the repeat has none.
    expect(statOf(sub, undefined)).toMatchObject({ late: 1, maxLatencyUs: 80_000 });
  });

  it('joins during a ramp: no loss for what came before the join, full counting after it', () => {
    const w = world();
    w.book.rampStarted(0);
    const early = w.open('subscriber');
    w.book.steadyStarted(0);
    for (let seq = 0; seq < 5; seq++) deliver(early, 1, 0, seq);
    w.book.rampStarted(1);
    const joiner = w.open('subscriber'); // joins in phase 1's ramp
    deliver(joiner, 1, 0, 4); // the tail of part 0 still in flight: seen, not expected before it
    w.book.steadyStarted(1);
    for (let seq = 0; seq < 3; seq++) {
      deliver(early, 1, 1, seq);
      deliver(joiner, 1, 1, seq);
    }
    w.drain({ publishedByPart: [5, 3], serverMaxSeq: -1, isComplete: true });
    early.abandon();
    joiner.abandon();
    expect(statOf(early, w.book.totals)).toMatchObject({ expected: 8, received: 8, lost: 0 });
    expect(statOf(joiner, w.book.totals)).toMatchObject({ expected: 4, received: 4, lost: 0 });
  });

  it('leaves: a ramp-down or a server close ends counting at the last message seen', () => {
    const w = world();
    w.book.rampStarted(0);
    const leaver = w.open('subscriber');
    const closed = w.open('subscriber');
    const stayer = w.open('subscriber');
    w.book.steadyStarted(0);
    for (let seq = 0; seq < 4; seq++) for (const s of [leaver, closed, stayer]) deliver(s, 1, 0, seq);
    deliver(closed, 1, 0, 6); // a gap before the server closes it: that one is lost
    closed.onEnd({ code: 1000, initiatedByUs: false, wasOpen: true, wireBytesSent: 0, wireBytesReceived: 0 });
    for (const seq of [4, 5, 6]) deliver(stayer, 1, 0, seq);
    w.book.rampStarted(1);
    leaver.abandon(); // ramp-down while seqs 4..6 may still have been in flight
    w.book.steadyStarted(1);
    w.drain({ publishedByPart: [7, 0], serverMaxSeq: -1, isComplete: true });
    stayer.abandon();
    expect(statOf(leaver, w.book.totals)).toMatchObject({ expected: 4, received: 4, lost: 0 });
    expect(statOf(closed, w.book.totals)).toMatchObject({ expected: 7, received: 5, lost: 2 });
    expect(statOf(stayer, w.book.totals)).toMatchObject({ expected: 7, received: 7, lost: 0 });
  });

  it('a reconnect mid-part counts that part from the first seq it saw', () => {
    const w = world({ phases: 1 });
    w.book.rampStarted(0);
    w.book.steadyStarted(0);
    const late = w.open('subscriber'); // opened during the steady part
    for (const seq of [40, 41, 43]) deliver(late, 1, 0, seq);
    w.drain({ publishedByPart: [50], serverMaxSeq: -1, isComplete: true });
    expect(late.pending).toBe(0);
    late.abandon();
    expect(statOf(late, w.book.totals)).toMatchObject({ expected: 4, received: 3, lost: 1 });
  });

  it('with includeSender false, own messages are unexpected and not expected', () => {
    const w = world({ phases: 1, includeSender: false });
    w.book.rampStarted(0);
    const a = w.open('pubsub');
    const b = w.open('pubsub');
    w.book.steadyStarted(0);
    a.startLoad(w.engine.load!, 0);
    b.startLoad(w.engine.load!, 0);
    a.onDue(LATER);
    a.onDue(LATER);
    b.onDue(LATER);
    // a's two messages reach b (and a, wrongly), b's one reaches a.
    deliver(b, a.publisherId, 0, 0);
    deliver(b, a.publisherId, 0, 1);
    deliver(a, a.publisherId, 0, 0);
    deliver(a, b.publisherId, 0, 0);
    const published = w.drain(undefined);
    expect(published.publishedByPart).toEqual([3]);
    w.book.combined(sumFanoutPublished([published], true));
    a.abandon();
    b.abandon();
    w.finish();
    expect(statOf(a, w.book.totals)).toMatchObject({ expected: 1, received: 1, lost: 0 });
    expect(statOf(b, w.book.totals)).toMatchObject({ expected: 2, received: 2, lost: 0 });
    expect(w.recorder.counters.msgs_unexpected).toBe(1);
    expect([...w.notes].join('\n')).toMatch(/includeSender is false/);
  });

  it('a publish the pacer sends early is stamped with when it left, not its due time', () => {
    const w = world();
    w.book.rampStarted(0);
    const p = w.open('publisher');
    w.book.steadyStarted(0);
    p.startLoad(w.engine.load!, 5_000);
    const first = p.dueUs;
    p.onDue(first - 700); // within the pacer's 1 ms horizon
    const second = p.dueUs;
    p.onDue(LATER); // late: stamped with its due time, so the wait counts
    const times = w.frames.map((f) => Number(/^rtf:\d+:\d+:\d+:(\d+);/.exec(f)?.[1]));
    expect(times).toEqual([Math.round(first - 700), Math.round(second)]);
  });

  it('publishers stamp their id, part and a seq restarting each part, and stop during ramps', () => {
    const w = world();
    w.book.rampStarted(0);
    const p = w.open('publisher');
    w.book.steadyStarted(0);
    p.startLoad(w.engine.load!, 0);
    p.onDue(LATER);
    p.onDue(LATER);
    w.book.rampStarted(1);
    p.onDue(LATER); // a ramp: nothing is published
    w.book.steadyStarted(1);
    p.startLoad(w.engine.load!, 0);
    p.onDue(LATER);
    const stamps = w.frames.map((f) => /^rtf:(\d+):(\d+):(\d+):\d+;\.*$/.exec(f)?.slice(1, 4).join(':'));
    expect(stamps).toEqual([`${p.publisherId}:0:0`, `${p.publisherId}:0:1`, `${p.publisherId}:1:0`]);
    expect(w.book.drainStarted().publishedByPart).toEqual([2, 1]);
    expect(w.recorder.counters.msgs_sent).toBe(3);
  });

  it('a server stream counts from the first seq seen to the highest anyone saw before the drain', () => {
    const w = world({ phases: 1 });
    w.book.rampStarted(0);
    const a = w.open('subscriber');
    const b = w.open('subscriber');
    serverMessage(a, 1); // before the first steady part: set-up, not counted
    w.book.steadyStarted(0);
    for (const seq of [10, 11, 12, 13, 14]) serverMessage(a, seq);
    for (const seq of [10, 12, 12, 11]) serverMessage(b, seq); // 11 late, 12 twice, 13 and 14 missing
    const published = w.drain(undefined);
    expect(published.serverMaxSeq).toBe(14);
    w.book.combined(sumFanoutPublished([published, { publishedByPart: [0], serverMaxSeq: 9 }], true));
    expect(b.pending).toBe(2);
    a.abandon();
    b.abandon();
    const summary = w.finish();
    expect(statOf(a, w.book.totals)).toMatchObject({ expected: 5, received: 5, lost: 0 });
    expect(statOf(b, w.book.totals)).toMatchObject({ expected: 5, received: 3, lost: 2, duplicated: 1, reordered: 1 });
    expect([summary.serverSeqMin, summary.serverSeqMax]).toEqual([10, 14]);
  });

  it("without every worker's counts, full parts fall back to gaps and say so", () => {
    const w = world({ phases: 1 });
    w.book.rampStarted(0);
    const s = w.open('subscriber');
    w.book.steadyStarted(0);
    for (const seq of [0, 1, 3]) deliver(s, 1, 0, seq);
    w.drain({ publishedByPart: [10], serverMaxSeq: -1, isComplete: false });
    expect(s.pending).toBe(0);
    s.abandon();
    w.finish();
    expect(w.recorder.counters.deliveries_expected).toBe(4);
    expect(w.recorder.counters.msgs_lost).toBe(1);
    expect([...w.notes].join('\n')).toMatch(/ended before reporting/);
  });

  it('lists the worst five subscribers across workers: most lost, then late, then slowest', () => {
    const stat = (subscriber: string, lost: number, late: number, maxLatencyUs: number): FanoutSubscriberStat => ({
      subscriber,
      expected: 100,
      received: 100 - lost,
      lost,
      duplicated: 0,
      reordered: 0,
      late,
      maxLatencyUs,
    });
    const summaries = [
      {
        publishers: 2,
        subscribers: 4,
        published: 20,
        serverSeqMin: -1,
        serverSeqMax: -1,
        worst: [stat('a', 5, 0, 1), stat('b', 0, 9, 1), stat('c', 0, 0, 900), stat('d', 0, 0, 5)],
      },
      {
        publishers: 1,
        subscribers: 3,
        published: 7,
        serverSeqMin: 3,
        serverSeqMax: 42,
        worst: [stat('e', 7, 0, 1), stat('f', 0, 9, 2), stat('g', 0, 0, 1)],
      },
    ];
    const scenario = validateScenario(
      { name: 'm', role: 'pubsub', phases: [{ duration: '1s', connections: 1, load: { rate: 1 } }] },
      'test',
    );
    const f = mergeFanoutSummaries(summaries, scenario, undefined);
    expect(f.worstSubscribers.map((s) => s.subscriber)).toEqual(['e', 'a', 'f', 'b', 'c']);
    expect([f.publishers, f.subscribers, f.published, f.serverPublished, f.includeSender]).toEqual([3, 7, 27, 40, true]);
  });
});
