/**
 * One publisher's seqs as one subscriber saw them: in order, gaps, late arrivals and repeats
 * classified exactly, and the counts that the delivery accounting is built on.
 */
import { describe, expect, it } from 'vitest';
import { ARRIVED_AGAIN, ARRIVED_IN_ORDER, ARRIVED_LATE, SeqTracker } from '../../dist/worker/roles/seq-tracker.js';

function feed(seqs: number[]): { t: SeqTracker; arrivals: number[] } {
  const t = new SeqTracker(seqs[0]!);
  return { t, arrivals: seqs.slice(1).map((s) => t.accept(s)) };
}

describe('SeqTracker', () => {
  it('an in-order stream has no gap', () => {
    const { t, arrivals } = feed([5, 6, 7, 8]);
    expect(arrivals).toEqual([ARRIVED_IN_ORDER, ARRIVED_IN_ORDER, ARRIVED_IN_ORDER]);
    expect([t.low, t.high, t.received, t.span, t.missing]).toEqual([5, 8, 4, 4, 0]);
  });

  it('counts a gap as missing, then a late arrival into it as reordered', () => {
    const { t, arrivals } = feed([0, 1, 4, 5]);
    expect(arrivals).toEqual([ARRIVED_IN_ORDER, ARRIVED_IN_ORDER, ARRIVED_IN_ORDER]);
    expect(t.missing).toBe(2);
    expect(t.accept(3)).toBe(ARRIVED_LATE);
    expect(t.missing).toBe(1);
    expect(t.accept(3)).toBe(ARRIVED_AGAIN);
    expect(t.accept(2)).toBe(ARRIVED_LATE);
    expect(t.missing).toBe(0);
    expect(t.received).toBe(6);
  });

  it('tells repeats of received seqs from late seqs, anywhere in the span', () => {
    const { t } = feed([0, 1, 2, 10]);
    expect(t.accept(1)).toBe(ARRIVED_AGAIN);
    expect(t.accept(10)).toBe(ARRIVED_AGAIN);
    expect(t.accept(6)).toBe(ARRIVED_LATE); // splits the gap 3..9 into 3..5 and 7..9
    expect(t.accept(6)).toBe(ARRIVED_AGAIN);
    expect(t.accept(5)).toBe(ARRIVED_LATE);
    expect(t.accept(7)).toBe(ARRIVED_LATE);
    expect(t.accept(9)).toBe(ARRIVED_LATE);
    expect(t.accept(8)).toBe(ARRIVED_LATE);
    expect(t.missing).toBe(2); // 3 and 4
    expect(t.accept(4)).toBe(ARRIVED_LATE);
    expect(t.accept(3)).toBe(ARRIVED_LATE);
    expect(t.missing).toBe(0);
    expect(t.received).toBe(11);
  });

  it('takes a seq below the first one as late and widens the span', () => {
    const { t } = feed([10, 11]);
    expect(t.accept(7)).toBe(ARRIVED_LATE);
    expect([t.low, t.span, t.missing]).toEqual([7, 5, 2]);
    expect(t.accept(8)).toBe(ARRIVED_LATE);
    expect(t.accept(9)).toBe(ARRIVED_LATE);
    expect(t.accept(7)).toBe(ARRIVED_AGAIN);
    expect(t.missing).toBe(0);
  });

  it('keeps a long stall as one range, not one entry per lost seq', () => {
    const t = new SeqTracker(0);
    t.accept(1_000_000);
    expect(t.missing).toBe(999_999);
    expect(t.accept(500_000)).toBe(ARRIVED_LATE);
    expect(t.missing).toBe(999_998);
  });
});
