/**
 * The pure parts of the multi-process reference server: relay framing (whole frames out of any
 * chunking, one copy for a split frame), the sum of several processes' counters, and the
 * validation of `processes` (exact messages: they are the UI).
 */
import { describe, expect, it } from 'vitest';
import { resolveServerOptions } from '../../dist/server/options.js';
import { encodeRelayFrame, forEachRelayFrame, RelayFrameSplitter } from '../../dist/server/cluster/relay-frames.js';
import { EndpointCounters, mergeServerStats, StatsBook } from '../../dist/server/stats.js';

function decodeAll(frames: Buffer[]): Array<[string, boolean]> {
  const out: Array<[string, boolean]> = [];
  for (const f of frames) forEachRelayFrame(f, (payload, isBinary) => out.push([payload.toString(), isBinary]));
  return out;
}

describe('relay frames', () => {
  const messages: Array<[string, boolean]> = [
    ['a', false],
    ['', false],
    ['binary \u0000 bytes', true],
    ['x'.repeat(70_000), false],
    ['{"seq":1,"t":"123"}', false],
  ];
  const stream = Buffer.concat(messages.map(([text, isBinary]) => encodeRelayFrame(Buffer.from(text), isBinary)));

  it('gives back every message whatever the chunk size, only ever as whole frames', () => {
    for (const size of [1, 2, 4, 5, 6, 7, 100, 65_536, stream.length]) {
      const splitter = new RelayFrameSplitter();
      const runs: Buffer[] = [];
      for (let at = 0; at < stream.length; at += size) {
        const run = splitter.push(stream.subarray(at, at + size));
        if (run) runs.push(run);
      }
      expect(splitter.pendingBytes).toBe(0);
      expect(Buffer.concat(runs).equals(stream)).toBe(true);
      expect(decodeAll(runs)).toEqual(messages);
    }
  });

  it('holds back an incomplete frame and returns undefined until it completes', () => {
    const frame = encodeRelayFrame(Buffer.from('hello'), false);
    const splitter = new RelayFrameSplitter();
    expect(splitter.push(frame.subarray(0, 3))).toBeUndefined();
    expect(splitter.push(frame.subarray(3, 8))).toBeUndefined();
    expect(splitter.pendingBytes).toBe(8);
    const run = splitter.push(Buffer.concat([frame.subarray(8), frame.subarray(0, 2)]));
    expect(decodeAll([run!])).toEqual([['hello', false]]);
    expect(splitter.pendingBytes).toBe(2);
  });
});

describe('mergeServerStats', () => {
  it('sums every counter, gauge and close code per endpoint, and the totals from those', () => {
    const a = new StatsBook();
    a.websocket.connections_accepted = 3;
    a.websocket.connections_open = 2;
    a.websocket.msgs_received = 10;
    a.websocket.countClose(1000);
    a.broadcast.msgs_sent = 40;
    a.broadcast.countDrop('lagged');
    const b = new StatsBook();
    b.websocket.connections_open = 5;
    b.websocket.countClose(1000);
    b.websocket.countClose(1006);
    b.broadcast.msgs_sent = 2;
    b.sse.sse_events_sent = 7;

    const merged = mergeServerStats([a.snapshot(), b.snapshot()]);
    expect(merged.by_endpoint.websocket).toMatchObject({
      connections_accepted: 3,
      connections_open: 7,
      msgs_received: 10,
      closes_by_code: { 1000: 2, 1006: 1 },
    });
    expect(merged.by_endpoint.broadcast).toMatchObject({ msgs_sent: 42, drops_by_reason: { lagged: 1 } });
    expect(merged).toMatchObject({ connections_open: 7, msgs_sent: 42, sse_events_sent: 7, closes_by_code: { 1000: 2, 1006: 1 } });
    expect(merged.by_endpoint.sse_ticks).toEqual(new EndpointCounters().snapshot());
  });
});

describe('resolveServerOptions: processes', () => {
  it('defaults to one process with the automatic connection limit', () => {
    expect(resolveServerOptions({})).toMatchObject({ processes: 1, maxConnectionsPerProcess: 0 });
    expect(resolveServerOptions({ processes: 6, maxConnectionsPerProcess: 19_000 })).toMatchObject({
      processes: 6,
      maxConnectionsPerProcess: 19_000,
    });
  });

  it('names each bad value', () => {
    expect(() => resolveServerOptions({ processes: 0 })).toThrow('reference server: processes must be a whole number >= 1 (got 0)');
    expect(() => resolveServerOptions({ processes: 65 })).toThrow('reference server: processes must be at most 64 (got 65)');
    expect(() => resolveServerOptions({ maxConnectionsPerProcess: 100 })).toThrow(
      'reference server: maxConnectionsPerProcess needs processes > 1 (got processes 1)',
    );
  });
});
