/**
 * Parsing and formatting of the units used on the command line and in scenario files:
 * durations (`500ms`, `10s`, `2m`), sizes (`512`, `4KiB`, `1MiB`), counts (`10k`, `1.5M`).
 * Parsers return `undefined` for input they cannot read so callers can name the field.
 */

const DURATION_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const SIZE_BYTES: Record<string, number> = {
  b: 1,
  kb: 1000,
  mb: 1_000_000,
  gb: 1_000_000_000,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};
const COUNT_FACTOR: Record<string, number> = { '': 1, k: 1000, m: 1_000_000 };

const NUMBER_WITH_SUFFIX = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-zA-Z]*)\s*$/;

function split(input: string | number): { value: number; suffix: string } | undefined {
  if (typeof input === 'number') return Number.isFinite(input) ? { value: input, suffix: '' } : undefined;
  const m = NUMBER_WITH_SUFFIX.exec(input);
  if (!m) return undefined;
  return { value: Number(m[1]), suffix: (m[2] ?? '').toLowerCase() };
}

/**
 * Parses a duration into milliseconds. A bare number means `bareUnit` (milliseconds by
 * default; seconds for flags such as `--duration 30`).
 */
export function parseDurationMs(input: string | number, bareUnit: 'ms' | 's' = 'ms'): number | undefined {
  const p = split(input);
  if (!p) return undefined;
  const factor = DURATION_MS[p.suffix === '' ? bareUnit : p.suffix];
  return factor === undefined ? undefined : p.value * factor;
}

/** Parses a size in bytes: `512`, `4KiB`, `1MiB`, `2kb`. */
export function parseSizeBytes(input: string | number): number | undefined {
  const p = split(input);
  if (!p) return undefined;
  const factor = SIZE_BYTES[p.suffix === '' ? 'b' : p.suffix];
  if (factor === undefined) return undefined;
  const bytes = p.value * factor;
  return Number.isInteger(bytes) ? bytes : Math.round(bytes);
}

/** Parses a count: `100`, `10k`, `1.5m`. Rates use it too (`--rate 5k`), so decimals stay. */
export function parseCount(input: string | number): number | undefined {
  const p = split(input);
  if (!p) return undefined;
  const factor = COUNT_FACTOR[p.suffix];
  return factor === undefined ? undefined : p.value * factor;
}

/** Formats microseconds with a unit chosen for reading: `812µs`, `12.4ms`, `3.20s`. */
export function formatUs(us: number): string {
  if (!Number.isFinite(us)) return '-';
  if (us < 1000) return `${Math.round(us)}µs`;
  if (us < 10_000) return `${(us / 1000).toFixed(2)}ms`;
  if (us < 1_000_000) return `${(us / 1000).toFixed(1)}ms`;
  return `${(us / 1_000_000).toFixed(2)}s`;
}

/** Formats milliseconds as a short duration: `500ms`, `10s`, `2m30s`. */
export function formatDurationMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${+(ms / 1000).toFixed(1)}s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return s ? `${m}m${s}s` : `${m}m`;
}

/** Formats a count or rate compactly: `950`, `12.3k`, `1.20M`. */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return '-';
  const a = Math.abs(n);
  if (a < 1000) return Number.isInteger(n) ? String(n) : n.toFixed(1);
  if (a < 1_000_000) return `${(n / 1000).toFixed(a < 10_000 ? 2 : 1)}k`;
  return `${(n / 1_000_000).toFixed(2)}M`;
}

/** Formats bytes with binary units: `512 B`, `4.0 KiB`, `12.3 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}
