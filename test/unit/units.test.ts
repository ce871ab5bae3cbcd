import { describe, expect, it } from 'vitest';
import { formatBytes, formatCount, formatDurationMs, formatUs, parseCount, parseDurationMs, parseSizeBytes } from '../../dist/units.js';

describe('units', () => {
  it('parses durations; a bare number takes the given unit', () => {
    expect(parseDurationMs('500ms')).toBe(500);
    expect(parseDurationMs('10s')).toBe(10_000);
    expect(parseDurationMs('2m')).toBe(120_000);
    expect(parseDurationMs('1.5s')).toBe(1500);
    expect(parseDurationMs('20')).toBe(20);
    expect(parseDurationMs('30', 's')).toBe(30_000);
    expect(parseDurationMs(250)).toBe(250);
    expect(parseDurationMs('soon')).toBeUndefined();
    expect(parseDurationMs('-5s')).toBeUndefined();
    expect(parseDurationMs('5 parsecs')).toBeUndefined();
  });

  it('parses sizes in bytes, decimal and binary units', () => {
    expect(parseSizeBytes('512')).toBe(512);
    expect(parseSizeBytes('4KiB')).toBe(4096);
    expect(parseSizeBytes('1MiB')).toBe(1_048_576);
    expect(parseSizeBytes('2kb')).toBe(2000);
    expect(parseSizeBytes('1.5KiB')).toBe(1536);
    expect(parseSizeBytes('1 furlong')).toBeUndefined();
  });

  it('parses counts with k and M; decimals stay (rates)', () => {
    expect(parseCount('10k')).toBe(10_000);
    expect(parseCount('1.5M')).toBe(1_500_000);
    expect(parseCount('0.2')).toBe(0.2);
    expect(parseCount('12x')).toBeUndefined();
  });

  it('formats for reading', () => {
    expect(formatUs(812)).toBe('812µs');
    expect(formatUs(12_400)).toBe('12.4ms');
    expect(formatUs(3_200_000)).toBe('3.20s');
    expect(formatDurationMs(150_000)).toBe('2m30s');
    expect(formatCount(12_345)).toBe('12.3k');
    expect(formatCount(950)).toBe('950');
    expect(formatBytes(4096)).toBe('4.0 KiB');
  });
});
