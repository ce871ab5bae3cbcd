/**
 * Thresholds: absolute pass/fail conditions on one run (`latency.p99<5ms`, `errors==0`).
 * Every threshold is parsed before any load starts, all problems at once, so a typo costs a
 * second instead of a benchmark; after the run each one becomes a Verdict with the actual value.
 *
 * Grammar (whitespace is allowed around `op`):
 *
 *   threshold  ::= ref op value
 *   ref        ::= histogram "." stat            latency.p99, connect_time.max, latency.count
 *                | counter                       msgs_lost, connections_failed, sends_missed, ...
 *                | "errors" [ "." error_class ]  errors (every class), errors.connect_refused
 *                | throughput                    msgs_per_sec, deliveries_per_sec
 *                | "error_rate"                  errors per operation attempted, in percent
 *   histogram  ::= "latency" | "latency_uncorrected" | "connect_time" | "fanout_latency"
 *                | "first_event_time" | "event_gap" | "push_latency"
 *   stat       ::= "p50" | "p90" | "p99" | "p99_9" | "p99_99" | "min" | "mean" | "max" | "count"
 *   counter    ::= any name in COUNTER_NAMES (src/metrics/counters.ts)
 *   error_class::= [a-z0-9_]+
 *   op         ::= "<" | "<=" | ">" | ">=" | "=="
 *   value      ::= number [ unit ]
 *   number     ::= digits [ "." digits ]
 *   unit       ::= "us" | "µs" | "ms" | "s"      on a latency statistic; a bare number is µs
 *                | "k" | "M"                     on counts and rates (10k = 10000)
 *                | "%"                           on error_rate; a bare number is percent too
 *
 * A threshold on a statistic with no samples (e.g. `fanout_latency.p99` in an echo run) fails:
 * a gate that passes because nothing was measured would hide a broken run.
 */
import { ConfigError, type ValidationIssue } from '../errors.js';
import type { RunResult, Verdict } from '../metrics/result.js';
import { metricRefText, parseMetricRef, readMetric, valueKind, type MetricRef } from './metric-ref.js';
import { inDisplayUnit, parseQuantity, type Quantity } from './quantity.js';

/** Comparison operators, longest first so `<=` is not read as `<`. */
export const OPS = ['<=', '>=', '==', '<', '>'] as const;
/** One of {@link OPS}. */
export type Op = (typeof OPS)[number];

/** A parsed threshold. */
export interface Threshold {
  /** As written (trimmed): the verdict's `check`. */
  text: string;
  ref: MetricRef;
  op: Op;
  /** The limit, in the reference's base unit, and the unit it was written in. */
  limit: Quantity;
}

/** Parses one threshold; returns a problem sentence (without the threshold text) on failure. */
export function parseThreshold(input: string): { threshold: Threshold } | { problem: string } {
  const text = input.trim();
  if (text === '') return { problem: 'is empty; write metric[.stat] op value, e.g. latency.p99<5ms' };
  const at = text.search(/[<>=!]/);
  if (at < 0) return { problem: 'has no comparison; write metric[.stat] op value with op one of <, <=, >, >=, ==' };
  const left = text.slice(0, at).trim();
  const opText = /^(<=|>=|==|!=|<|>|=)/.exec(text.slice(at))![1]!;
  const right = text.slice(at + opText.length).trim();
  if (opText === '=') return { problem: 'uses "="; write "==" for equality' };
  if (opText === '!=') return { problem: 'uses "!=", which is not supported; use <, <=, >, >= or ==' };
  if (left === '') return { problem: `has no metric before "${opText}"` };
  if (right === '') return { problem: `has no value after "${opText}"` };
  const parsedRef = parseMetricRef(left);
  if ('problem' in parsedRef) return parsedRef;
  const parsedValue = parseQuantity(right, valueKind(parsedRef.ref), metricRefText(parsedRef.ref));
  if ('problem' in parsedValue) return parsedValue;
  return { threshold: { text, ref: parsedRef.ref, op: opText as Op, limit: parsedValue.quantity } };
}

/**
 * Parses every threshold and throws one ConfigError (exit 2) listing each bad one, e.g.
 * `thresholds: "latency.p98<5ms": unknown statistic "p98" for latency; use p50, ... or count`.
 */
export function parseThresholds(list: readonly string[], source = 'thresholds'): Threshold[] {
  const out: Threshold[] = [];
  const issues: ValidationIssue[] = [];
  for (const text of list) {
    const parsed = parseThreshold(text);
    if ('problem' in parsed) issues.push({ path: JSON.stringify(text.trim()), message: parsed.problem });
    else out.push(parsed.threshold);
  }
  if (issues.length > 0) throw new ConfigError(source, issues);
  return out;
}

/** Checks each threshold against a result: one Verdict each, actual value in the limit's unit. */
export function evaluateThresholds(r: RunResult, thresholds: readonly Threshold[]): Verdict[] {
  return thresholds.map((t) => {
    const actual = readMetric(r, t.ref);
    if (actual === null) {
      return { check: t.text, actual: null, unit: t.limit.unit, pass: false, detail: noDataDetail(t.ref) };
    }
    return { check: t.text, actual: inDisplayUnit(actual, t.limit), unit: t.limit.unit, pass: holds(actual, t.op, t.limit.value) };
  });
}

function holds(actual: number, op: Op, limit: number): boolean {
  switch (op) {
    case '<':
      return actual < limit;
    case '<=':
      return actual <= limit;
    case '>':
      return actual > limit;
    case '>=':
      return actual >= limit;
    case '==':
      return actual === limit;
  }
}

/** Why a reference has no value in a result. */
export function noDataDetail(ref: MetricRef): string {
  switch (ref.kind) {
    case 'histogram':
      return `no ${ref.metric} samples were recorded`;
    case 'throughput':
      return 'nothing was measured (no steady time after warm-up)';
    default:
      return 'nothing was attempted';
  }
}
