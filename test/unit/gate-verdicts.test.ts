/**
 * The noise-aware gate: a worsening fails only when it is over the tolerance AND beyond the
 * spread between rounds. Pass, regression, within noise, improvement, no data; the check
 * grammar with exact messages; the verdict table.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../dist/errors.js';
import { evaluateGate, gateVerdicts, parseRegressionChecks } from '../../dist/compare/gate.js';
import { renderGate } from '../../dist/report/gate-report.js';
import { makeResult } from '../helpers/results.js';

/**
 * Rounds whose latency p99 is exactly `p99s[i]` µs: of 1000 samples, 989 at half of it and 11
 * at it, so the 990th (p99) is it; below 2048 µs HDR keeps every microsecond.
 */
function roundsWithP99(p99s: number[], measuredMs = 1000) {
  return p99s.map((p) =>
    makeResult({ latencyUs: [...Array<number>(989).fill(Math.round(p / 2)), ...Array<number>(11).fill(p)], measuredMs }),
  );
}

const p99Of = (runs: ReturnType<typeof roundsWithP99>) => runs.map((r) => r.metrics.latency!.p99);

describe('parseRegressionChecks', () => {
  it('reads relative and absolute tolerances', () => {
    const checks = parseRegressionChecks(['latency.p99=10%', 'msgs_per_sec=5%', 'connect_time.p99=2ms', 'errors=0', 'error_rate=0.5']);
    expect(checks.map((c) => [c.text, c.tolerance])).toEqual([
      ['latency.p99=10%', { kind: 'relative', fraction: 0.1 }],
      ['msgs_per_sec=5%', { kind: 'relative', fraction: 0.05 }],
      ['connect_time.p99=2ms', { kind: 'absolute', amount: { value: 2000, unit: 'ms', scale: 1000 } }],
      ['errors=0', { kind: 'absolute', amount: { value: 0, unit: '', scale: 1 } }],
      ['error_rate=0.5', { kind: 'absolute', amount: { value: 0.5, unit: '%', scale: 1 } }],
    ]);
  });

  it('lists every bad check with an exact message', () => {
    expect(() => parseRegressionChecks(['latency.p99<10%', 'latency.p98=10%', 'latency.p99=10xs', 'latency.p99=10%'])).toThrow(ConfigError);
    try {
      parseRegressionChecks(['latency.p99<10%', 'latency.p98=10%', 'latency.p99=10xs']);
    } catch (err) {
      expect((err as Error).message).toBe(
        [
          '--max-regression: "latency.p99<10%": write metric=tolerance, e.g. latency.p99=10% or latency.p99=2ms',
          '--max-regression: "latency.p98=10%": unknown statistic "p98" for latency; ' +
            'use p50, p90, p99, p99_9, p99_99, min, mean, max or count',
          '--max-regression: "latency.p99=10xs": tolerance: unknown unit "xs" for latency.p99; ' +
            'use us, ms or s (a bare number is µs); or give a percentage such as 10%',
        ].join('\n'),
      );
    }
  });
});

describe('evaluateGate', () => {
  const check = parseRegressionChecks(['latency.p99=10%']);

  it('passes a change inside the tolerance', () => {
    const [r] = evaluateGate(roundsWithP99([1050]), roundsWithP99([1000]), check);
    expect(r).toMatchObject({ status: 'pass', pass: true, noise: 0 });
    expect(r!.changeFraction).toBeGreaterThan(0);
    expect(r!.changeFraction).toBeLessThan(0.1);
  });

  it('fails a regression over the tolerance and beyond the spread between rounds', () => {
    const baseline = roundsWithP99([1000, 1010, 1020]);
    const current = roundsWithP99([1300, 1310, 1320]);
    const [r] = evaluateGate(current, baseline, check);
    expect(r).toMatchObject({ status: 'regression', pass: false });
    expect(r!.detail).toMatch(/^\+\d+µs \(\+29\.\d%\) is worse than the 10% limit and beyond the spread between rounds \(±\d+µs\)$/);
  });

  it('passes a change over the tolerance that stays within the spread between rounds', () => {
    // Baseline rounds 1000 and 1400 (median 1200, ±200); current 1250 and 1450 (median 1350, ±100):
    // +12.5% is over 10%, but the 150 µs difference is inside the 300 µs of noise.
    const baseline = roundsWithP99([1000, 1400]);
    const current = roundsWithP99([1250, 1450]);
    const [r] = evaluateGate(current, baseline, check);
    expect(p99Of(baseline)).toEqual([1000, 1400]);
    expect(p99Of(current)).toEqual([1250, 1450]);
    expect(r).toMatchObject({ status: 'within_noise', pass: true, change: 150, noise: 300 });
    expect(r!.detail).toBe('+150µs (+12.5%) is over the 10% limit but within the spread between rounds (±300µs)');
  });

  it('treats lower throughput as the regression', () => {
    const checks = parseRegressionChecks(['msgs_per_sec=5%']);
    const [worse] = evaluateGate(roundsWithP99([1000], 1250), roundsWithP99([1000], 1000), checks);
    expect(worse).toMatchObject({ status: 'regression', pass: false, changeFraction: -0.2 });
    const [better] = evaluateGate(roundsWithP99([1000], 800), roundsWithP99([1000], 1000), checks);
    expect(better).toMatchObject({ status: 'improved', pass: true, changeFraction: 0.25 });
  });

  it('fails a check with no data rather than passing it', () => {
    const [r] = evaluateGate(roundsWithP99([1000]), roundsWithP99([1000]), parseRegressionChecks(['fanout_latency.p99=10%']));
    expect(r).toMatchObject({ status: 'no_data', pass: false, detail: 'baseline: no fanout_latency samples were recorded' });
  });

  it('fails any new error against a zero baseline with errors=0', () => {
    const baseline = [makeResult()];
    const current = [makeResult({ errors: { reset: 3 } })];
    const [r] = evaluateGate(current, baseline, parseRegressionChecks(['errors=0']));
    expect(r).toMatchObject({ status: 'regression', pass: false, change: 3, changeFraction: null, detail: '+3 is worse than the 0 limit' });
  });

  it('turns results into verdicts and a verdict table', () => {
    const baseline = roundsWithP99([1000, 1400]);
    // Same samples over 1.1 s instead of 1 s: throughput 909/s against 1000/s.
    const current = roundsWithP99([1250, 1450], 1100);
    const results = evaluateGate(current, baseline, parseRegressionChecks(['latency.p99=10%', 'msgs_per_sec=5%']));
    expect(gateVerdicts(results)).toEqual([
      {
        check: 'latency.p99=10%',
        actual: 1350,
        unit: 'us',
        pass: true,
        detail: '+150µs (+12.5%) is over the 10% limit but within the spread between rounds (±300µs)',
      },
      { check: 'msgs_per_sec=5%', actual: 909.091, unit: '/s', pass: false, detail: '−90.9/s (−9.1%) is worse than the 5% limit' },
    ]);
    const report = { scenario: 'echo', baselineRounds: 2, currentRounds: 2, checks: results };
    expect(renderGate(report, 'table', false)).toMatchInlineSnapshot(`
      "rtbench gate · echo · baseline 2 rounds, current 2 rounds
      ┌──────────────┬────────────────┬────────────────┬─────────────────┬───────┬─────────────────────┐
      │ check        │       baseline │        current │          change │ limit │ result              │
      ├──────────────┼────────────────┼────────────────┼─────────────────┼───────┼─────────────────────┤
      │ latency.p99  │ 1.20ms ± 200µs │ 1.35ms ± 100µs │ +150µs (+12.5%) │   10% │ pass (within noise) │
      ├──────────────┼────────────────┼────────────────┼─────────────────┼───────┼─────────────────────┤
      │ msgs_per_sec │        1.00k/s │        909.1/s │ −90.9/s (−9.1%) │    5% │ FAIL (regression)   │
      └──────────────┴────────────────┴────────────────┴─────────────────┴───────┴─────────────────────┘
      ✓ latency.p99=10%: +150µs (+12.5%) is over the 10% limit but within the spread between rounds (±300µs)
      ✗ msgs_per_sec=5%: −90.9/s (−9.1%) is worse than the 5% limit
      gate failed: 1 of 2 checks
      "
    `);
    expect(renderGate(report, 'md', false)).toMatchInlineSnapshot(`
      "### rtbench gate · echo · baseline 2 rounds, current 2 rounds

      | check | baseline | current | change | limit | result |
      |:---|---:|---:|---:|---:|:---|
      | \`latency.p99\` | 1.20ms ± 200µs | 1.35ms ± 100µs | +150µs (+12.5%) | 10% | ✅ pass (within noise) |
      | \`msgs_per_sec\` | 1.00k/s | 909.1/s | −90.9/s (−9.1%) | 5% | ❌ FAIL (regression) |

      - \`latency.p99=10%\`: +150µs (+12.5%) is over the 10% limit but within the spread between rounds (±300µs)
      - \`msgs_per_sec=5%\`: −90.9/s (−9.1%) is worse than the 5% limit

      **Gate failed: 1 of 2 checks.**
      "
    `);
    expect(JSON.parse(renderGate(report, 'json', false))).toMatchObject({
      schemaVersion: 2,
      kind: 'gate',
      pass: false,
      checks: [{ status: 'within_noise' }, { status: 'regression' }],
    });
  });
});
