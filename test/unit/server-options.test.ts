/** Validation of the reference server's profile options (exact messages: they are the UI). */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../dist/errors.js';
import { DEFAULT_SERVER_OPTIONS, resolveServerOptions } from '../../dist/server/options.js';

describe('resolveServerOptions: profiles', () => {
  it('defaults to the strict profile and the seed channel settings', () => {
    expect(resolveServerOptions({})).toMatchObject({ profile: 'strict', idleDropMs: 0, broadcastCapacity: 100, lagPolicy: 'skip' });
    expect(DEFAULT_SERVER_OPTIONS.profile).toBe('strict');
  });

  it('accepts the Hyperlane settings under a Hyperlane profile', () => {
    expect(resolveServerOptions({ profile: 'hyperlane', idleDropMs: 3000, broadcastCapacity: 16, lagPolicy: 'disconnect' })).toMatchObject({
      profile: 'hyperlane',
      idleDropMs: 3000,
      broadcastCapacity: 16,
      lagPolicy: 'disconnect',
    });
    expect(resolveServerOptions({ profile: 'hyperlane-readme' }).profile).toBe('hyperlane-readme');
  });

  it('names each bad option in one UsageError', () => {
    const attempt = () =>
      resolveServerOptions({
        profile: 'nginx' as never,
        lagPolicy: 'drop' as never,
        broadcastCapacity: 0,
        idleDropMs: -1,
      });
    expect(attempt).toThrow(UsageError);
    expect(attempt).toThrow(
      [
        'reference server: idleDropMs must be a number >= 0 (got -1)',
        'reference server: broadcastCapacity must be a whole number >= 1 (got 0)',
        'reference server: profile must be one of strict, hyperlane, hyperlane-readme (got "nginx")',
        'reference server: lagPolicy must be one of skip, disconnect (got "drop")',
      ].join('\n'),
    );
    expect(() => resolveServerOptions({ profile: 'hyperlane', broadcastCapacity: 2_000_000 })).toThrow(
      'reference server: broadcastCapacity must be at most 1048576 (got 2000000)',
    );
  });

  it('refuses Hyperlane-only settings under strict rather than ignoring them', () => {
    expect(() => resolveServerOptions({ idleDropMs: 3000, broadcastCapacity: 100, lagPolicy: 'skip' })).toThrow(
      [
        'reference server: idleDropMs needs profile hyperlane or hyperlane-readme (got profile strict)',
        'reference server: broadcastCapacity needs profile hyperlane or hyperlane-readme (got profile strict)',
        'reference server: lagPolicy needs profile hyperlane or hyperlane-readme (got profile strict)',
      ].join('\n'),
    );
    expect(resolveServerOptions({ idleDropMs: 0 }).idleDropMs).toBe(0);
  });
});
