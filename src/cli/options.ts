/**
 * Option tables shared by several commands, kept as data so `--help` and the parser agree.
 * Values with units stay strings here; commands parse them with units.ts and name the flag
 * in any error.
 */
import { UsageError } from '../errors.js';
import { parseCount, parseDurationMs, parseSizeBytes } from '../units.js';

/** The exit-code table printed at the end of every `--help`. */
export const EXIT_CODES_HELP = [
  'Exit codes:',
  '  0    ok',
  '  1    internal error (a bug)',
  '  2    usage or scenario error',
  '  3    the run could not be carried out (target unreachable, every connection failed, a shard late for --start-at;',
  '       find: no answer about the server)',
  '  4    a threshold or gate failed',
  '  130  interrupted (a partial report is written)',
].join('\n');

/** Reads a duration flag (`500ms`, `10s`, `2m`); a bare number is in `bareUnit`. */
export function durationFlag(flag: string, value: unknown, bareUnit: 'ms' | 's' = 'ms'): number {
  const ms = value === undefined ? undefined : parseDurationMs(value as string | number, bareUnit);
  if (ms === undefined || ms < 0) {
    throw new UsageError(`--${flag} must be a duration such as 500ms, 10s or 2m (got ${JSON.stringify(value)})`);
  }
  return ms;
}

/** Reads a size flag (`512`, `64KiB`, `1MiB`). */
export function sizeFlag(flag: string, value: unknown): number {
  const bytes = value === undefined ? undefined : parseSizeBytes(value as string | number);
  if (bytes === undefined || bytes < 0) {
    throw new UsageError(`--${flag} must be a size such as 512, 64KiB or 1MiB (got ${JSON.stringify(value)})`);
  }
  return bytes;
}

/** Reads a count or rate flag (`100`, `10k`, `0.5`). */
export function countFlag(flag: string, value: unknown, opts: { integer?: boolean; min?: number } = {}): number {
  const n = value === undefined ? undefined : parseCount(value as string | number);
  const min = opts.min ?? 0;
  if (n === undefined || n < min || (opts.integer && !Number.isInteger(n))) {
    const kind = opts.integer ? 'a whole number' : 'a number';
    throw new UsageError(`--${flag} must be ${kind} >= ${min}, such as 100 or 10k (got ${JSON.stringify(value)})`);
  }
  return n;
}

/** A repeatable flag's values: none, one, or the list yargs makes of repeats. */
export function repeatedFlag(value: unknown): string[] {
  return value === undefined || value === null ? [] : [value].flat().map(String);
}
