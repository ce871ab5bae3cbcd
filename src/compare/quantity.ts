/**
 * Values with units as written in thresholds and regression checks (`5ms`, `10k`, `1%`), and
 * how the tables print the values of each kind. Latencies are microseconds inside, whatever
 * unit the user wrote; a bare number on a latency is microseconds (the result file's unit).
 */
import { formatBytes, formatCount, formatUs, parseSizeBytes } from '../units.js';
import type { ValueKind } from './metric-ref.js';

/** A parsed value: in the reference's base unit, plus the unit it was written in for display. */
export interface Quantity {
  /** In the base unit: µs, count, per second, percent. */
  value: number;
  /** Unit to show actual values in: `us`, `ms`, `s`, `` (count), `/s`, `%`. */
  unit: string;
  /** Base units per display unit (1000 for `ms`). */
  scale: number;
}

const LATENCY_UNITS: Record<string, number> = { '': 1, us: 1, µs: 1, ms: 1000, s: 1_000_000 };
const COUNT_SUFFIXES: Record<string, number> = { '': 1, k: 1000, M: 1_000_000 };
const NUMBER = /^(\d+(?:\.\d+)?|\.\d+)(\S*)$/;

/**
 * Parses `text` as a value for a reference of `kind`; `subject` names the reference in
 * problems. Returns a problem sentence when the text is not a number or the unit does not fit.
 */
export function parseQuantity(text: string, kind: ValueKind, subject: string): { quantity: Quantity } | { problem: string } {
  const m = NUMBER.exec(text);
  if (!m) return { problem: `value "${text}" is not a number (write e.g. 5ms, 0 or 1.5)` };
  const n = Number(m[1]);
  const suffix = m[2] ?? '';
  switch (kind) {
    case 'us': {
      const scale = LATENCY_UNITS[suffix];
      if (scale === undefined) return { problem: `unknown unit "${suffix}" for ${subject}; use us, ms or s (a bare number is µs)` };
      return { quantity: { value: n * scale, unit: suffix === '' || suffix === 'µs' ? 'us' : suffix, scale } };
    }
    case 'count':
    case 'per_sec': {
      const factor = COUNT_SUFFIXES[suffix];
      if (factor === undefined) {
        const what = kind === 'count' ? 'is a count' : 'is a rate per second';
        return { problem: `${subject} ${what}; give a plain number such as 0, 1000 or 10k (got "${text}")` };
      }
      return { quantity: { value: n * factor, unit: kind === 'count' ? '' : '/s', scale: 1 } };
    }
    case 'bytes': {
      const bytes = parseSizeBytes(text);
      if (bytes === undefined) return { problem: `${subject} is a size; give e.g. 512MiB, 64KiB or 1000000 (got "${text}")` };
      // Actual values are shown in the unit written (`512MiB` → MiB).
      const scale = suffix === '' ? 1 : (parseSizeBytes(`1${suffix}`) ?? 1);
      return { quantity: { value: bytes, unit: suffix === '' ? 'B' : suffix, scale } };
    }
    case 'percent': {
      if (suffix !== '' && suffix !== '%')
        return { problem: `${subject} is a percentage; give a number such as 1 or 0.5% (got "${text}")` };
      return { quantity: { value: n, unit: '%', scale: 1 } };
    }
  }
}

/** A value for reading: `1.80ms`, `12.3k/s`, `0.25%`, `17`. */
export function formatValue(value: number, kind: ValueKind): string {
  switch (kind) {
    case 'us':
      return formatUs(value);
    case 'count':
      return Number.isInteger(value) && Math.abs(value) < 100_000 ? String(value) : formatCount(value);
    case 'per_sec':
      return `${formatCount(Math.round(value * 10) / 10)}/s`;
    case 'percent':
      return `${value < 10 ? value.toFixed(2) : value.toFixed(1)}%`;
    case 'bytes':
      return formatBytes(value);
  }
}

/** A value rounded for a verdict: in its display unit, at most three decimals. */
export function inDisplayUnit(value: number, q: Pick<Quantity, 'scale'>): number {
  return Math.round((value / q.scale) * 1000) / 1000;
}

/** A cell over rounds: `1.80ms ± 50µs`, or just the value when the rounds agree exactly or there is one. */
export function formatSpread(s: { median: number; spread: number } | null, kind: ValueKind): string {
  if (!s) return '-';
  const median = formatValue(s.median, kind);
  return s.spread > 0 ? `${median} ± ${formatValue(s.spread, kind)}` : median;
}
