import { describe, expect, it } from 'vitest';
import { checkRampRate } from '../../dist/runner/run-scenario.js';

describe('connect-rate check', () => {
  const phase = { durationMs: 1000, connections: 10_000, connectRatePerSec: 1000 };
  it('accepts a ramp within 10% of the rate asked', () => {
    expect(checkRampRate(0, phase, 10_000, 10_500)).toBeUndefined();
    expect(checkRampRate(0, { ...phase, connectRatePerSec: undefined }, 10_000, 60_000)).toBeUndefined();
  });
  it('says so in plain words when the ramp was slower', () => {
    expect(checkRampRate(1, phase, 10_000, 20_000)).toBe(
      'phase 2 ramped at 500 connections/s, below the 1000/s asked (the generator or the server could not keep up)',
    );
  });
  it('ignores ramps too short to measure a rate', () => {
    expect(checkRampRate(0, phase, 1500, 5000)).toBeUndefined();
  });
});
