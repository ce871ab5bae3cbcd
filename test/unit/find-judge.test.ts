/**
 * How one measured window is judged: the SLO decides a window whose generator kept up; a window
 * whose generator fell behind is inconclusive unless it failed a check a late generator cannot
 * cause (errors other than given-up replies, failed connections). And the --precision flag.
 */
import { describe, expect, it } from 'vitest';
import { precisionFlag } from '../../dist/cli/find-action.js';
import { parseThresholds } from '../../dist/compare/thresholds.js';
import { judgeWindow } from '../../dist/find/step.js';
import { evenly, makeResult } from '../helpers/results.js';

const LOOP_BEHIND =
  'generator event loop delay p99 reached 14.4 ms (> 10 ms): the client may be the bottleneck; latency includes its own delay';

/** A window with p99 near `p99Us`, these errors, and the generator behind or not. */
function windowResult(p99Us: number, errors: Record<string, number> = {}, behind = false) {
  const r = makeResult({ latencyUs: evenly(1000, p99Us / 2, p99Us), errors });
  if (behind) r.health.warnings = [LOOP_BEHIND];
  return r;
}

describe('judgeWindow', () => {
  const slo = parseThresholds(['latency.p99<5ms', 'errors==0']);

  it('passes or fails a window whose generator kept up by the SLO, naming each failed figure', () => {
    expect(judgeWindow(windowResult(2000), 'completed', slo)).toMatchObject({ verdict: 'pass', why: '' });
    const failed = judgeWindow(windowResult(9000, { reset: 2 }), 'completed', slo);
    expect(failed.verdict).toBe('fail');
    expect(failed.why).toMatch(/^latency\.p99 = 8\.9\d+ms, errors = 2$/);
    expect(failed.result.verdicts?.map((v) => v.pass)).toEqual([false, false]);
  });

  it('calls a window whose generator fell behind inconclusive, even when its latency fails', () => {
    const w = judgeWindow(windowResult(9000, {}, true), 'completed', slo);
    expect([w.verdict, w.why]).toEqual(['inconclusive', 'generator event loop delay p99 reached 14.4 ms (> 10 ms)']);
    // Given-up replies are what a late generator causes itself.
    expect(judgeWindow(windowResult(2000, { reply_timeout: 5 }, true), 'completed', slo).verdict).toBe('inconclusive');
  });

  it('still fails a window whose generator fell behind on errors the server caused', () => {
    const w = judgeWindow(windowResult(9000, { connect_refused: 3, reply_timeout: 1 }, true), 'completed', slo);
    expect([w.verdict, w.why]).toEqual(['fail', 'errors = 4']);
    const connections = parseThresholds(['connections_failed==0']);
    const r = windowResult(2000, {}, true);
    r.counters.connections_failed = 3;
    expect(judgeWindow(r, 'completed', connections).verdict).toBe('fail');
  });

  it('reads the run outcome first: lost target fails, unreachable and interrupted stop the search', () => {
    const lost = windowResult(2000, { closed_1011: 10 });
    lost.interruption = 'the target closed every connection';
    expect(judgeWindow(lost, 'target_lost', slo)).toMatchObject({
      verdict: 'fail',
      why: 'the target closed every connection (closed_1011 10)',
    });
    expect(judgeWindow(windowResult(2000), 'unreachable', slo).verdict).toBe('unreachable');
    expect(judgeWindow(windowResult(2000), 'interrupted', slo).verdict).toBe('interrupted');
  });
});

describe('precisionFlag', () => {
  it('takes a percentage or a fraction below 1, and refuses the ambiguous rest', () => {
    expect([precisionFlag(undefined), precisionFlag('5%'), precisionFlag('0.05'), precisionFlag('0.5%')]).toEqual([
      0.05, 0.05, 0.05, 0.005,
    ]);
    for (const bad of ['5', '100%', '0', '-1%', 'x', '']) expect(() => precisionFlag(bad), bad).toThrow(/--precision must be/);
  });
});
