/**
 * The pacer (src/load/pacer.ts) on a fake clock and fake timers: which items a tick hands out,
 * when it sleeps until, deferral, the per-tick cap, and removal. Deterministic: no real time.
 */
import { describe, expect, it } from 'vitest';
import { EARLY_SEND_US, MAX_ITEMS_PER_TICK, Pacer, type PaceOutcome, type Timers } from '../../dist/load/pacer.js';

interface Item {
  name: string;
  dueUs: number;
  heapIndex: number;
}

/** A clock and one-shot timers the test moves by hand. */
function fakeTime() {
  let now = 0;
  let pending: { fn: () => void; atUs: number; ms: number } | undefined;
  const timers: Timers = {
    set: (fn, ms) => (pending = { fn, atUs: now + Math.max(1, Math.trunc(ms)) * 1000, ms }),
    clear: (h) => {
      if (pending === h) pending = undefined;
    },
  };
  return {
    clock: () => now,
    timers,
    get pending() {
      return pending;
    },
    /** Moves the clock to the pending timer's time (as Node would: whole ms, at least 1) and fires it. */
    fire() {
      const p = pending!;
      pending = undefined;
      now = p.atUs;
      p.fn();
    },
    set(us: number) {
      now = us;
    },
  };
}

const item = (name: string, dueUs: number): Item => ({ name, dueUs, heapIndex: -1 });

function pacerWith(handler: (it: Item, now: number) => PaceOutcome) {
  const time = fakeTime();
  const pacer = new Pacer<Item>(handler, time.clock, time.timers);
  return { time, pacer };
}

describe('Pacer', () => {
  it('hands out items in due order, each within 1 ms before its time, and sleeps until 1 ms before the next', () => {
    const sent: Array<[string, number]> = [];
    const { time, pacer } = pacerWith((it, now) => {
      sent.push([it.name, now]);
      return 'sent';
    });
    pacer.schedule(item('c', 30_000));
    pacer.schedule(item('a', 10_000));
    pacer.schedule(item('b', 10_500));
    // Sleeps until EARLY_SEND_US before the earliest: 9 ms from 0.
    expect(time.pending!.ms).toBe((10_000 - EARLY_SEND_US) / 1000);
    time.fire();
    // At 9 ms: a (due 10 ms) and b (due 10.5 ms) are within the early window? Only a: b is 1.5 ms away.
    expect(sent).toEqual([['a', 9_000]]);
    expect(time.pending!.ms).toBe(0.5);
    time.fire();
    expect(sent).toEqual([
      ['a', 9_000],
      ['b', 10_000],
    ]);
    time.fire();
    expect(sent.map(([n]) => n)).toEqual(['a', 'b', 'c']);
    expect(sent[2]![1]).toBeLessThanOrEqual(30_000);
    expect(sent[2]![1]).toBeGreaterThanOrEqual(30_000 - EARLY_SEND_US);
    expect(time.pending).toBeUndefined();
  });

  it('an item that reschedules itself keeps its cadence: 100 sends at 1 kHz in 100 ms of fake time', () => {
    const times: number[] = [];
    const it0 = item('x', 1_000);
    const { time, pacer } = pacerWith((it, now) => {
      times.push(now);
      if (times.length < 100) {
        it.dueUs += 1_000;
        pacer.schedule(it);
      }
      return 'sent';
    });
    pacer.schedule(it0);
    for (let i = 0; i < 200 && time.pending; i++) time.fire();
    expect(times).toHaveLength(100);
    // Never more than the early window ahead of its due time, never behind it.
    times.forEach((t, k) => {
      const due = (k + 1) * 1_000;
      expect(due - t).toBeGreaterThanOrEqual(0);
      expect(due - t).toBeLessThanOrEqual(EARLY_SEND_US);
    });
  });

  it('a late tick hands out everything overdue at once; the handler sees the lateness', () => {
    const seen: Array<[string, number]> = [];
    const { time, pacer } = pacerWith((it, now) => {
      seen.push([it.name, now - it.dueUs]);
      return 'sent';
    });
    pacer.schedule(item('a', 5_000));
    pacer.schedule(item('b', 6_000));
    time.set(20_000);
    pacer.tick();
    expect(seen).toEqual([
      ['a', 15_000],
      ['b', 14_000],
    ]);
  });

  it('deferred items stay and are retried in 1 ms; dropped ones leave', () => {
    let blocked = true;
    const seen: string[] = [];
    const { time, pacer } = pacerWith((it) => {
      seen.push(it.name);
      if (it.name === 'gone') return 'dropped';
      return blocked ? 'deferred' : 'sent';
    });
    pacer.schedule(item('full', 1_000));
    pacer.schedule(item('gone', 1_000));
    time.fire();
    expect(seen.sort()).toEqual(['full', 'gone']);
    expect(pacer.size).toBe(1);
    expect(time.pending!.ms).toBe(1);
    blocked = false;
    time.fire();
    expect(seen.filter((n) => n === 'full')).toHaveLength(2);
    expect(pacer.size).toBe(0);
  });

  it('hands out at most MAX_ITEMS_PER_TICK per tick and comes back for the rest at once', () => {
    let sent = 0;
    const { time, pacer } = pacerWith(() => {
      sent++;
      return 'sent';
    });
    for (let i = 0; i < MAX_ITEMS_PER_TICK + 5; i++) pacer.schedule(item(`i${i}`, 1_000));
    time.set(1_000);
    pacer.tick();
    expect(sent).toBe(MAX_ITEMS_PER_TICK);
    expect(time.pending!.ms).toBe(0);
    time.fire();
    expect(sent).toBe(MAX_ITEMS_PER_TICK + 5);
  });

  it('removed, cleared and stopped items are never handed out', () => {
    const seen: string[] = [];
    const { time, pacer } = pacerWith((it) => {
      seen.push(it.name);
      return 'sent';
    });
    const a = item('a', 2_000);
    pacer.schedule(a);
    pacer.schedule(item('b', 3_000));
    pacer.remove(a);
    time.set(5_000);
    pacer.tick();
    expect(seen).toEqual(['b']);
    pacer.schedule(item('c', 6_000));
    pacer.clear();
    expect(time.pending).toBeUndefined();
    pacer.stop();
    pacer.schedule(item('d', 7_000));
    expect(pacer.size).toBe(0);
    expect(time.pending).toBeUndefined();
  });

  it('a far item is looked at again within a second, never slept past', () => {
    const { time, pacer } = pacerWith(() => 'sent');
    pacer.schedule(item('far', 60_000_000));
    expect(time.pending!.ms).toBe(1000);
  });
});
