/**
 * The echo role (src/worker/roles/echo.ts) driven through a fake RoleHost, without sockets:
 * how it starts a load, what it gives up, and how late replies are told from duplicates.
 */
import { describe, expect, it } from 'vitest';
import { Recorder } from '../../dist/metrics/recorder.js';
import { ProbeWriter } from '../../dist/protocol/payload.js';
import { validateScenario } from '../../dist/scenario/validate.js';
import { EchoSession } from '../../dist/worker/roles/echo.js';
import type { GroupRuntime, PacedSession, RoleHost } from '../../dist/worker/session.js';

function setup(load: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  const scenario = validateScenario({ name: 'e', phases: [{ duration: '1s', connections: 10, load }], ...extra }, 'test');
  const recorder = new Recorder();
  recorder.measuring = true;
  const scheduled: PacedSession[] = [];
  const sent: Buffer[] = [];
  const host: RoleHost = {
    load: scenario.phases[0]!.load,
    draining: false,
    connection: scenario.connection,
    get counters() {
      return recorder.counters;
    },
    record: (m, us, measured) => recorder.record(m, us, measured),
    error: (cls) => recorder.error(cls),
    note: () => {},
    schedule: (s) => void scheduled.push(s),
    opened: () => {},
    ended: () => {},
    interrupted: () => {},
  };
  const spec = scenario.groups[0]!;
  const group = {
    index: 0,
    spec,
    url: 'ws://x/',
    driver: undefined,
    probe: new ProbeWriter(spec.message.sizeBytes),
  } as unknown as GroupRuntime;
  const open = (index: number) => {
    const s = new EchoSession(host, group, index);
    s.conn = {
      send: (b: Buffer) => {
        sent.push(Buffer.from(b));
        return true;
      },
      bufferedBytes: 0,
      close() {},
    };
    s.onOpen(100);
    return s;
  };
  return { host, recorder, scheduled, sent, open };
}

describe('EchoSession', () => {
  it('closed loop with think time: first sends spread over one think time, not all at once', () => {
    const w = setup({ model: 'closed', inFlight: 1, thinkTime: '100ms' });
    const now = 5_000_000;
    const sessions = Array.from({ length: 10 }, (_, i) => w.open(i));
    for (const s of sessions) s.startLoad(w.host.load!, now);
    expect(w.sent).toHaveLength(0);
    const offsets = w.scheduled.map((s) => s.dueUs - now).sort((a, b) => a - b);
    expect(offsets).toHaveLength(10);
    expect(offsets[0]).toBeGreaterThanOrEqual(0);
    expect(offsets[9]).toBeLessThan(100_000);
    // Spread, not bunched: ten connections over 100 ms leave no gap wider than a third of it.
    for (let i = 1; i < 10; i++) expect(offsets[i]! - offsets[i - 1]!).toBeLessThan(34_000);
    // Each sends its first message when the pacer finds it due.
    sessions[0]!.onDue(sessions[0]!.dueUs);
    expect(w.sent).toHaveLength(1);
  });

  it('a reply to a message given up at the end (the drain) is late, not a duplicate', () => {
    const w = setup({ rate: 100 });
    const s = w.open(0);
    s.startLoad(w.host.load!, 0);
    s.onDue(s.dueUs);
    s.onDue(s.dueUs);
    expect(w.sent).toHaveLength(2);
    expect(s.abandon()).toBe(2);
    for (const frame of w.sent) s.onMessage(frame, false, 50_000);
    expect(w.recorder.counters.replies_late).toBe(2);
    expect(w.recorder.counters.msgs_duplicated).toBe(0);
  });

  it('messages skipped by a later reply are bounded by maxOutstanding and given up as lost', () => {
    const w = setup({ rate: 1000 }, { maxOutstanding: 3 });
    const s = w.open(0);
    s.startLoad(w.host.load!, 0);
    // Send 3, answer only the 3rd: 2 skipped (within the bound of 3).
    for (let i = 0; i < 3; i++) s.onDue(s.dueUs);
    s.onMessage(w.sent[2]!, false, 10_000);
    expect(w.recorder.counters.msgs_lost).toBe(0);
    // Send 3 more, answer only the 6th: 4 skipped in all, one over the bound: the oldest goes.
    for (let i = 0; i < 3; i++) s.onDue(s.dueUs);
    s.onMessage(w.sent[5]!, false, 20_000);
    const first = w.recorder.takeSnapshot();
    expect(first.counters.msgs_lost).toBe(1);
    expect(first.errors).toEqual({ outstanding_limit: 1 });
    // The given-up one arriving now is late; a skipped one still held is a reorder.
    s.onMessage(w.sent[0]!, false, 30_000);
    s.onMessage(w.sent[1]!, false, 30_000);
    expect(w.recorder.counters.replies_late).toBe(1);
    expect(w.recorder.counters.msgs_reordered).toBe(1);
  });
});
