/**
 * The tokio-style broadcast ring, checked against the behaviour docs.rs documents for
 * `tokio::sync::broadcast` (capacity rounding, per-receiver cursors, `Lagged(n)` then the
 * oldest retained value).
 */
import { describe, expect, it } from 'vitest';
import { retainedMessages, TokioBroadcast, type BroadcastCursor } from '../../dist/server/hyperlane/tokio-broadcast.js';

/** tokio's `recv` as one call: a value, `{ lagged: n }`, or `undefined` when nothing waits. */
function recv<T>(ch: TokioBroadcast<T>, rx: BroadcastCursor): T | { lagged: number } | undefined {
  const skipped = ch.skipLag(rx);
  return skipped > 0 ? { lagged: skipped } : ch.take(rx);
}

describe('TokioBroadcast', () => {
  it('rounds the capacity up to a power of two, as tokio does', () => {
    expect([1, 2, 3, 10, 16, 100, 1024, 1025].map(retainedMessages)).toEqual([1, 2, 4, 16, 16, 128, 1024, 2048]);
    expect(new TokioBroadcast(100).retained).toBe(128);
    expect(() => new TokioBroadcast(0)).toThrow(/capacity must be a whole number >= 1/);
  });

  it('gives every receiver every message sent after it subscribed, in order', () => {
    const ch = new TokioBroadcast<number>(16);
    const rx1 = ch.subscribe();
    ch.send(10);
    const rx2 = ch.subscribe();
    ch.send(20);
    expect([recv(ch, rx1), recv(ch, rx1), recv(ch, rx1)]).toEqual([10, 20, undefined]);
    expect([recv(ch, rx2), recv(ch, rx2)]).toEqual([20, undefined]);
  });

  it('reports Lagged(n) and then resumes at the oldest retained value (the docs example, capacity 2)', () => {
    const ch = new TokioBroadcast<number>(2);
    const rx = ch.subscribe();
    ch.send(10);
    ch.send(20);
    ch.send(30);
    expect(ch.lagOf(rx)).toBe(1);
    expect(recv(ch, rx)).toEqual({ lagged: 1 });
    expect([recv(ch, rx), recv(ch, rx), recv(ch, rx)]).toEqual([20, 30, undefined]);
  });

  it('counts every overwritten message once, however often the lag is settled', () => {
    const ch = new TokioBroadcast<number>(100);
    const slow = ch.subscribe();
    const eager = ch.subscribe();
    let eagerSkipped = 0;
    for (let i = 0; i < 2000; i++) {
      ch.send(i);
      eagerSkipped += ch.skipLag(eager); // settled after every send, as the server does for a stalled receiver
    }
    const lazySkipped = ch.skipLag(slow);
    expect(lazySkipped).toBe(2000 - 128);
    expect(eagerSkipped).toBe(lazySkipped);
    const rest: number[] = [];
    for (let v = ch.take(slow); v !== undefined; v = ch.take(slow)) rest.push(v);
    expect(rest).toEqual(Array.from({ length: 128 }, (_, i) => 1872 + i));
    expect(ch.pending(slow)).toBe(0);
  });

  it('does not hand a lagging receiver an overwritten slot', () => {
    const ch = new TokioBroadcast<string>(1);
    const rx = ch.subscribe();
    ch.send('a');
    ch.send('b');
    expect(ch.take(rx)).toBeUndefined();
    expect(ch.skipLag(rx)).toBe(1);
    expect(ch.take(rx)).toBe('b');
    expect(ch.oldestSeq).toBe(1);
    expect(ch.nextSeq).toBe(2);
  });
});
