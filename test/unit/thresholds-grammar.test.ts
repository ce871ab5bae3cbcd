/**
 * The threshold grammar (`metric[.stat] op value[unit]`): what parses to what, every invalid
 * form with its exact message, and evaluation against a fixed result.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, ExitCode } from '../../dist/errors.js';
import { evaluateThresholds, parseThreshold, parseThresholds } from '../../dist/compare/thresholds.js';
import { evenly, makeResult } from '../helpers/results.js';

function problemOf(text: string): string {
  const parsed = parseThreshold(text);
  if (!('problem' in parsed)) throw new Error(`${text} parsed`);
  return parsed.problem;
}

describe('parseThreshold: valid forms', () => {
  it.each([
    ['latency.p99<5ms', { kind: 'histogram', metric: 'latency', stat: 'p99' }, '<', 5000, 'ms'],
    ['latency.p99 < 5ms', { kind: 'histogram', metric: 'latency', stat: 'p99' }, '<', 5000, 'ms'],
    ['connect_time.max<=1s', { kind: 'histogram', metric: 'connect_time', stat: 'max' }, '<=', 1_000_000, 's'],
    ['latency.p99_9<2500', { kind: 'histogram', metric: 'latency', stat: 'p99_9' }, '<', 2500, 'us'],
    ['latency.p99_99<250us', { kind: 'histogram', metric: 'latency', stat: 'p99_99' }, '<', 250, 'us'],
    ['latency.mean<1.5ms', { kind: 'histogram', metric: 'latency', stat: 'mean' }, '<', 1500, 'ms'],
    ['latency.count>=1k', { kind: 'histogram', metric: 'latency', stat: 'count' }, '>=', 1000, ''],
    ['errors==0', { kind: 'errors' }, '==', 0, ''],
    ['errors.connect_refused==0', { kind: 'errors', errorClass: 'connect_refused' }, '==', 0, ''],
    ['msgs_lost==0', { kind: 'counter', name: 'msgs_lost' }, '==', 0, ''],
    ['sends_missed<10', { kind: 'counter', name: 'sends_missed' }, '<', 10, ''],
    ['msgs_per_sec>1000', { kind: 'throughput', name: 'msgs_per_sec' }, '>', 1000, '/s'],
    ['msgs_per_sec>=2.5k', { kind: 'throughput', name: 'msgs_per_sec' }, '>=', 2500, '/s'],
    ['error_rate<1%', { kind: 'error_rate' }, '<', 1, '%'],
    ['error_rate<0.5', { kind: 'error_rate' }, '<', 0.5, '%'],
  ])('%s', (text, ref, op, value, unit) => {
    const parsed = parseThreshold(text);
    expect(parsed).toEqual({ threshold: { text, ref, op, limit: expect.objectContaining({ value, unit }) } });
  });
});

describe('parseThreshold: invalid forms, exact messages', () => {
  it.each([
    ['', 'is empty; write metric[.stat] op value, e.g. latency.p99<5ms'],
    ['latency.p99', 'has no comparison; write metric[.stat] op value with op one of <, <=, >, >=, =='],
    ['latency.p99=5ms', 'uses "="; write "==" for equality'],
    ['errors!=0', 'uses "!=", which is not supported; use <, <=, >, >= or =='],
    ['<5ms', 'has no metric before "<"'],
    ['latency.p99<', 'has no value after "<"'],
    ['latency.p99<fast', 'value "fast" is not a number (write e.g. 5ms, 0 or 1.5)'],
    ['latency.p99<-5ms', 'value "-5ms" is not a number (write e.g. 5ms, 0 or 1.5)'],
    ['latency<5ms', 'latency needs a statistic, e.g. latency.p99; one of p50, p90, p99, p99_9, p99_99, min, mean, max, count'],
    ['latency.p98<5ms', 'unknown statistic "p98" for latency; use p50, p90, p99, p99_9, p99_99, min, mean, max or count'],
    ['latency.p99<5xs', 'unknown unit "xs" for latency.p99; use us, ms or s (a bare number is µs)'],
    ['latency.p99<5m', 'unknown unit "m" for latency.p99; use us, ms or s (a bare number is µs)'],
    ['latncy.p99<5ms', 'unknown metric "latncy" (did you mean latency?)'],
    [
      'throughput>5',
      'unknown metric "throughput"; use a latency metric with a statistic (latency.p99), ' +
        'a counter (msgs_lost), errors, errors.<class>, error_rate, msgs_per_sec or deliveries_per_sec',
    ],
    ['msgs_lost.max==0', 'msgs_lost takes no statistic (got "msgs_lost.max")'],
    ['msgs_lost==5ms', 'msgs_lost is a count; give a plain number such as 0, 1000 or 10k (got "5ms")'],
    ['latency.count>5ms', 'latency.count is a count; give a plain number such as 0, 1000 or 10k (got "5ms")'],
    ['msgs_per_sec>1ms', 'msgs_per_sec is a rate per second; give a plain number such as 0, 1000 or 10k (got "1ms")'],
    ['error_rate<1ms', 'error_rate is a percentage; give a number such as 1 or 0.5% (got "1ms")'],
    ['errors.Bad-Class==0', 'error class "Bad-Class" must be snake_case, e.g. errors.connect_refused'],
  ])('%j', (text, message) => {
    expect(problemOf(text)).toBe(message);
  });
});

describe('parseThresholds', () => {
  it('collects every problem into one ConfigError (exit 2), one line each', () => {
    let error: unknown;
    try {
      parseThresholds(['latency.p99<5ms', 'latency.p98<5ms', 'errors=0', ' msgs_lost==0 ']);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).exitCode).toBe(ExitCode.Usage);
    expect((error as ConfigError).message).toBe(
      [
        'thresholds: "latency.p98<5ms": unknown statistic "p98" for latency; use p50, p90, p99, p99_9, p99_99, min, mean, max or count',
        'thresholds: "errors=0": uses "="; write "==" for equality',
      ].join('\n'),
    );
  });

  it('returns the parsed list when all are valid', () => {
    expect(parseThresholds(['latency.p99<5ms', ' errors==0 ']).map((t) => t.text)).toEqual(['latency.p99<5ms', 'errors==0']);
  });
});

describe('evaluateThresholds', () => {
  // 1000 samples from 1000 to 2000 µs: p99 = 1990 µs, max = 2000 µs; 2 errors over 1012 operations.
  const result = makeResult({
    latencyUs: evenly(1000, 1000, 2000),
    measuredMs: 2000,
    errors: { reply_timeout: 2 },
    counters: { msgs_lost: 2, msgs_sent: 1002 },
  });

  it('gives the actual value in the unit the threshold was written in', () => {
    const verdicts = evaluateThresholds(
      result,
      parseThresholds([
        'latency.p99<2ms',
        'latency.p99<1.5ms',
        'latency.max<2000',
        'msgs_per_sec>=500',
        'errors==0',
        'errors.reply_timeout<=2',
        'errors.connect_refused==0',
        'msgs_lost==0',
        'error_rate<1%',
        'latency.count==1000',
      ]),
    );
    expect(verdicts).toEqual([
      { check: 'latency.p99<2ms', actual: 1.99, unit: 'ms', pass: true },
      { check: 'latency.p99<1.5ms', actual: 1.99, unit: 'ms', pass: false },
      { check: 'latency.max<2000', actual: 2000, unit: 'us', pass: false },
      { check: 'msgs_per_sec>=500', actual: 500, unit: '/s', pass: true },
      { check: 'errors==0', actual: 2, unit: '', pass: false },
      { check: 'errors.reply_timeout<=2', actual: 2, unit: '', pass: true },
      { check: 'errors.connect_refused==0', actual: 0, unit: '', pass: true },
      { check: 'msgs_lost==0', actual: 2, unit: '', pass: false },
      { check: 'error_rate<1%', actual: 0.198, unit: '%', pass: true },
      { check: 'latency.count==1000', actual: 1000, unit: '', pass: true },
    ]);
  });

  it('fails a threshold on a metric without samples instead of passing it silently', () => {
    expect(evaluateThresholds(result, parseThresholds(['fanout_latency.p99<5ms', 'fanout_latency.count==0']))).toEqual([
      { check: 'fanout_latency.p99<5ms', actual: null, unit: 'ms', pass: false, detail: 'no fanout_latency samples were recorded' },
      { check: 'fanout_latency.count==0', actual: 0, unit: '', pass: true },
    ]);
  });
});
