/**
 * The knee search against servers simulated as a pass/fail function of the load: the climb,
 * the bisection to the precision, the confirmation majority, and the generator's limit never
 * reported as the server's knee.
 */
import { describe, expect, it } from 'vitest';
import { type SearchBounds, type StepVerdict, searchKnee, withinPrecision } from '../../dist/find/search.js';
import { type FindWindow, measureStep } from '../../dist/find/step.js';

const RATE: SearchBounds = { from: 1000, to: 1_024_000, factor: 2, precision: 0.05, integer: false, maxSteps: 30 };

/** A server that passes up to `knee` (and, for `generatorAt`, a generator that stops there). */
function capacity(knee: number, generatorAt = Number.POSITIVE_INFINITY) {
  const tried: number[] = [];
  const measure = async (v: number): Promise<StepVerdict> => {
    tried.push(v);
    if (v >= generatorAt) return 'inconclusive';
    return v <= knee ? 'pass' : 'fail';
  };
  return { tried, measure };
}

describe('searchKnee', () => {
  it('climbs ×2 to the first break, then bisects until the bracket is within 5 % around the knee', async () => {
    const s = capacity(41_200);
    const end = await searchKnee(RATE, s.measure);
    expect(end.status).toBe('found');
    if (end.status !== 'found') return;
    expect(end.sustains).toBeLessThanOrEqual(41_200);
    expect(end.breaksAt).toBeGreaterThan(41_200);
    expect(withinPrecision(end.sustains, end.breaksAt, RATE)).toBe(true);
    // 1k … 64k is 7 climbing steps; a factor-2 bracket needs 4 geometric halvings to reach 5 %.
    expect(s.tried.slice(0, 7)).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 64_000]);
    expect(s.tried.length).toBeLessThanOrEqual(7 + 4);
  });

  it('finds a whole-number knee exactly when the precision allows it (connections)', async () => {
    const s = capacity(300);
    const end = await searchKnee({ from: 37, to: 1200, factor: 2, precision: 0.01, integer: true, maxSteps: 30 }, s.measure);
    expect(end).toEqual({ status: 'found', sustains: 300, breaksAt: expect.any(Number) });
    if (end.status === 'found') expect(end.breaksAt).toBeLessThanOrEqual(303);
    expect(s.tried.every(Number.isInteger)).toBe(true);
  });

  it('says the SLO fails at --from, and stops there', async () => {
    const s = capacity(500);
    expect(await searchKnee(RATE, s.measure)).toEqual({ status: 'fails_at_from', breaksAt: 1000 });
    expect(s.tried).toEqual([1000]);
  });

  it('says no break was found when the upper bound passes (the last step is exactly --to)', async () => {
    const s = capacity(1e9);
    expect(await searchKnee({ ...RATE, to: 10_000 }, s.measure)).toEqual({ status: 'no_break', sustains: 10_000 });
    expect(s.tried).toEqual([1000, 2000, 4000, 8000, 10_000]);
  });

  it("reports the generator's limit as such, never as the server's knee", async () => {
    const s = capacity(1e9, 20_000);
    const end = await searchKnee(RATE, s.measure);
    expect(end.status).toBe('generator_limited');
    if (end.status !== 'generator_limited') return;
    expect(end.sustains).toBeGreaterThanOrEqual(16_000);
    expect(end.limitAt).toBeGreaterThanOrEqual(20_000);
    expect(end.limitAt).toBeLessThanOrEqual(end.sustains! * 1.05);
  });

  it('finds a real knee below an inconclusive step', async () => {
    const s = capacity(20_000, 30_000);
    const end = await searchKnee(RATE, s.measure);
    expect(end.status).toBe('found');
    if (end.status === 'found') expect(end.breaksAt).toBeLessThanOrEqual(21_000);
  });

  it('stops at once on an interrupted or unreachable step, keeping what passed', async () => {
    let n = 0;
    const end = await searchKnee(RATE, async () => (++n < 3 ? 'pass' : 'interrupted'));
    expect(end).toEqual({ status: 'interrupted', sustains: 2000 });
    expect(await searchKnee(RATE, async () => 'unreachable')).toEqual({ status: 'unreachable' });
  });

  it('meets a fine precision: rounding never closes the bracket early', async () => {
    const b = { ...RATE, from: 25, to: 800, precision: 0.005 };
    const end = await searchKnee(b, capacity(100.7).measure);
    expect(end.status).toBe('found');
    if (end.status !== 'found') return;
    expect(end.sustains).toBeLessThanOrEqual(100.7);
    expect(end.breaksAt).toBeGreaterThan(100.7);
    expect(end.breaksAt).toBeLessThanOrEqual(end.sustains * 1.005);
  });

  it('measures --from and --to exactly as given, and climbs even with a factor rounding cannot move', async () => {
    const s = capacity(1e9);
    expect(await searchKnee({ ...RATE, from: 1005, to: 1008 }, s.measure)).toEqual({ status: 'no_break', sustains: 1008 });
    expect(s.tried).toEqual([1005, 1008]);
    const slow = capacity(1e9);
    await searchKnee({ ...RATE, from: 100, to: 110, factor: 1.004 }, slow.measure);
    // Every value is above the one before (3 digits would round 100 × 1.004 back to 100).
    expect(slow.tried.every((v, i) => i === 0 || v > slow.tried[i - 1]!)).toBe(true);
    expect(slow.tried.at(-1)).toBe(110);
    const from = capacity(500);
    expect(await searchKnee({ ...RATE, from: 1234 }, from.measure)).toEqual({ status: 'fails_at_from', breaksAt: 1234 });
  });

  it('never measures more than --max-steps loads', async () => {
    const s = capacity(41_200);
    expect((await searchKnee({ ...RATE, maxSteps: 3 }, s.measure)).status).toBe('step_limit');
    expect(s.tried).toHaveLength(3);
  });
});

describe('measureStep', () => {
  const window = (verdict: StepVerdict) => ({ verdict, why: verdict === 'fail' ? 'latency.p99 = 9ms' : '' }) as FindWindow;
  const always = async () => true;
  const seq = (...vs: StepVerdict[]) => {
    let i = 0;
    return async () => window(vs[i++]!);
  };

  it('needs k agreeing windows: one noisy window neither makes nor breaks a step', async () => {
    expect((await measureStep(2, seq('pass', 'pass'), always)).verdict).toBe('pass');
    expect((await measureStep(2, seq('pass', 'fail', 'fail'), always)).windows).toHaveLength(3);
    expect((await measureStep(2, seq('pass', 'fail', 'fail'), always)).verdict).toBe('fail');
    expect((await measureStep(2, seq('fail', 'pass', 'pass'), always)).verdict).toBe('pass');
    expect((await measureStep(1, seq('fail'), always)).why).toBe('latency.p99 = 9ms');
  });

  it('runs a window where the generator fell behind again, up to k times per step, then calls the step inconclusive', async () => {
    const retried = await measureStep(2, seq('pass', 'inconclusive', 'pass'), always);
    expect([retried.verdict, retried.windows.length]).toEqual(['pass', 3]);
    expect((await measureStep(1, seq('inconclusive', 'pass'), always)).verdict).toBe('pass');
    // k + 1 windows measured the generator: the step is the generator's, whatever the others said.
    const behind = await measureStep(2, seq('inconclusive', 'pass', 'inconclusive', 'inconclusive'), always);
    expect([behind.verdict, behind.windows.length, behind.why]).toEqual(['inconclusive', 4, '']);
    expect((await measureStep(1, seq('inconclusive', 'inconclusive'), always)).windows).toHaveLength(2);
    // At most 2k − 1 windows decide, and k more may be retries.
    const longest = await measureStep(2, seq('pass', 'inconclusive', 'fail', 'inconclusive', 'fail'), always);
    expect([longest.verdict, longest.windows.length]).toEqual(['fail', 5]);
  });

  it('ends the step at once on a window that stops the search, or when interrupted before a window', async () => {
    const step = await measureStep(2, async () => window('unreachable'), always);
    expect([step.verdict, step.windows.length]).toEqual(['unreachable', 1]);
    expect(
      (
        await measureStep(
          2,
          async () => window('pass'),
          async () => false,
        )
      ).verdict,
    ).toBe('interrupted');
  });
});
