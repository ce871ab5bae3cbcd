import { describe, expect, it } from 'vitest';
import { GivenUpRanges } from '../../dist/worker/roles/given-up.js';

describe('GivenUpRanges', () => {
  it('knows every given-up number, runs merged, and nothing else', () => {
    const g = new GivenUpRanges();
    for (const seq of [3, 4, 5, 9, 10, 20]) g.add(seq);
    const known = Array.from({ length: 25 }, (_, i) => i).filter((i) => g.has(i));
    expect(known).toEqual([3, 4, 5, 9, 10, 20]);
  });

  it('forgets the oldest runs past its cap, keeps the newest', () => {
    const g = new GivenUpRanges();
    for (let i = 0; i < 1000; i++) g.add(i * 2);
    expect(g.has(0)).toBe(false);
    expect(g.has(1998)).toBe(true);
    expect(g.has(1999)).toBe(false);
    // 256 runs kept: the 256 newest single-number runs.
    expect(g.has(2 * (1000 - 256))).toBe(true);
    expect(g.has(2 * (1000 - 257))).toBe(false);
  });
});
