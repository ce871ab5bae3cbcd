import { describe, expect, it } from 'vitest';
import { firstSendOffsetUs, nextIntervalUs, rampDueCount, splitByWeights, splitEvenly } from '../../dist/load/schedule.js';
import { DueHeap } from '../../dist/load/due-heap.js';
import { SendQueue } from '../../dist/load/send-queue.js';

describe('schedule math', () => {
  it("spreads first sends evenly over one period, and so does any one worker's share", () => {
    const periodUs = 10_000_000; // 0.1 msg/s
    /** First sends of connections [from, to) per 1-second window of the period. */
    const perSecond = (from: number, to: number) => {
      const counts = new Array<number>(10).fill(0);
      let outside = 0; // one expect() per offset made this test take seconds
      for (let i = from; i < to; i++) {
        const offset = firstSendOffsetUs(i, 0, 0.1);
        if (offset < 0 || offset >= periodUs) outside++;
        else counts[Math.floor(offset / 1_000_000)]!++;
      }
      expect(outside).toBe(0);
      return counts;
    };
    // 100k connections: 10k first sends in every second, to within a few.
    for (const n of perSecond(0, 100_000)) expect(Math.abs(n - 10_000)).toBeLessThanOrEqual(5);
    // One worker's contiguous share (the 4th of 6) covers the whole period evenly too, so
    // workers that start a phase a little apart cannot leave a second empty or doubled.
    for (const n of perSecond(50_001, 66_668)) expect(Math.abs(n - 1_667)).toBeLessThanOrEqual(5);
    // Groups count their connections from 0 each; their sequences are shifted apart.
    expect(firstSendOffsetUs(7, 1, 1)).not.toBe(firstSendOffsetUs(7, 0, 1));
    expect(Math.abs(firstSendOffsetUs(7, 1, 1) - firstSendOffsetUs(7, 0, 1))).toBeGreaterThan(100_000);
  });

  it('uniform intervals are exact; Poisson intervals average the period', () => {
    expect(nextIntervalUs(200, 'uniform')).toBe(5000);
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    let sum = 0;
    for (let i = 0; i < 20_000; i++) sum += nextIntervalUs(100, 'poisson', random);
    expect(sum / 20_000).toBeGreaterThan(9_700);
    expect(sum / 20_000).toBeLessThan(10_300);
  });

  it('ramps at the connect rate, or all at once', () => {
    expect(rampDueCount(0, 100, 10)).toBe(1);
    expect(rampDueCount(950, 100, 10)).toBe(10);
    expect(rampDueCount(60_000, 100, 10)).toBe(100);
    expect(rampDueCount(0, 100, undefined)).toBe(100);
  });

  it('splits exactly, remainder spread one each', () => {
    expect(splitEvenly(10, 3)).toEqual([4, 3, 3]);
    expect(splitEvenly(2, 4)).toEqual([1, 1, 0, 0]);
    expect(splitByWeights(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(splitByWeights(100, [1, 3])).toEqual([25, 75]);
    expect(splitByWeights(7, [0.5, 0.5])).toEqual([4, 3]);
    for (const total of [0, 1, 99, 1001]) expect(splitByWeights(total, [2, 3, 5]).reduce((a, b) => a + b)).toBe(total);
  });
});

describe('DueHeap', () => {
  it('pops in due order and removes from the middle', () => {
    const heap = new DueHeap<{ dueUs: number; heapIndex: number }>();
    const items = [50, 10, 40, 30, 20, 60].map((dueUs) => ({ dueUs, heapIndex: -1 }));
    for (const it of items) heap.push(it);
    heap.remove(items[2]!); // 40
    const order: number[] = [];
    for (let it = heap.pop(); it; it = heap.pop()) order.push(it.dueUs);
    expect(order).toEqual([10, 20, 30, 50, 60]);
    expect(items.every((i) => i.heapIndex === -1)).toBe(true);
  });
});

describe('SendQueue', () => {
  it('keeps FIFO order across growth and wrap-around', () => {
    const q = new SendQueue();
    for (let i = 0; i < 3; i++) q.push(i, i * 10, i * 10 + 1);
    q.shift();
    for (let i = 3; i < 20; i++) q.push(i, i * 10, i * 10 + 1);
    const seen: number[] = [];
    while (q.length > 0) {
      seen.push(q.headSeq()!);
      expect(q.headIntendedUs()).toBe(q.headSeq()! * 10);
      expect(q.headSentUs()).toBe(q.headSeq()! * 10 + 1);
      q.shift();
    }
    expect(seen).toEqual(Array.from({ length: 19 }, (_, i) => i + 1));
    expect(q.headSeq()).toBeUndefined();
  });
});
