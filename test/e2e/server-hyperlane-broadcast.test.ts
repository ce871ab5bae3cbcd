/**
 * `/broadcast` in the `hyperlane` profile: tokio broadcast semantics on the wire. Every client,
 * the sender included, gets every message; a subscriber that stops reading lags once its kernel
 * buffers are full and the capacity-100 ring (128 slots, as tokio rounds) laps it, and then
 * either skips exactly the messages the server counts (`skip`) or is disconnected
 * (`disconnect`), while the other clients get everything.
 *
 * Why the lag tests publish in two phases: the server takes a message for a receiver only when
 * its socket has handed the previous ones to the kernel (as Hyperlane awaits `write_all`), and
 * a stalled loopback socket absorbs a few MiB first (about 4 MiB on Linux). So phase 1
 * publishes until the server reports the first lag (the subscriber is then stalled for good),
 * and phase 2 publishes the measured 2000 × 1 KiB, every one of which must be skipped.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerStats } from '../../dist/server/reference-server.js';
import type { RunningServer } from '../../dist/server/running-server.js';
import { hyperlaneServers } from '../helpers/hyperlane-servers.js';
import { eventually } from '../helpers/polling.js';
import type { RawWsClient, WireFrame } from '../helpers/raw-ws.js';

const OP_CONT = 0x0;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;

const { start, connect, closeAll } = hyperlaneServers();
afterEach(closeAll);

function subscribe(server: RunningServer, opts: { paused?: boolean } = {}): Promise<RawWsClient> {
  return connect(server, '/broadcast', opts);
}

async function fetchStats(server: RunningServer): Promise<ServerStats> {
  return (await (await fetch(`${server.url}/stats`)).json()) as ServerStats;
}

const MESSAGE_BYTES = 1024;
const SEQ_DIGITS = 10;

/** A 1 KiB ASCII message that starts with its zero-padded sequence number. */
function stamped(seq: number): Buffer {
  const msg = Buffer.alloc(MESSAGE_BYTES, 0x2e);
  msg.write(String(seq).padStart(SEQ_DIGITS, '0'));
  return msg;
}

function seqOf(frame: WireFrame): number {
  return Number(frame.payload.subarray(0, SEQ_DIGITS).toString('latin1'));
}

/** Messages missing from a receiver's increasing seq list, out of seqs 0..total-1. */
function countGaps(seqs: number[], total: number): number {
  let expected = 0;
  let gaps = 0;
  for (const s of seqs) {
    expect(s).toBeGreaterThanOrEqual(expected);
    gaps += s - expected;
    expected = s + 1;
  }
  return gaps + (total - expected);
}

/**
 * Publishes from a raw client and waits for its own copies, so the server has fanned out every
 * message before the next batch (the publisher reads its copies and never lags itself).
 */
function publisherOf(publisher: RawWsClient): { publish(n: number): Promise<void>; readonly sent: number } {
  let sent = 0;
  return {
    get sent() {
      return sent;
    },
    async publish(n: number) {
      for (let i = 0; i < n; i++) publisher.send(OP_TEXT, stamped(sent++));
      await eventually(
        () => publisher.frames.length,
        (got) => got === sent,
        20_000,
      );
    },
  };
}

/** Phase 1: publishes batches until `isLagging` holds for the server's broadcast counters. */
async function publishUntilLagging(
  pub: ReturnType<typeof publisherOf>,
  server: RunningServer,
  isLagging: (s: ServerStats) => boolean,
): Promise<void> {
  while (!isLagging(await fetchStats(server))) {
    if (pub.sent > 100_000) throw new Error('no lag after 100 MiB: the subscriber is not stalled');
    await pub.publish(500);
  }
}

describe('hyperlane /broadcast', () => {
  it('sends every message to every client, the sender included, framed the Hyperlane way', async () => {
    const server = await start();
    const subs = [await subscribe(server), await subscribe(server), await subscribe(server)];
    subs.forEach((c, i) => {
      c.send(OP_BINARY, `ascii from ${i}`);
      c.send(OP_BINARY, Buffer.from([0xff, i]));
    });
    subs[0]!.send(OP_TEXT, Buffer.alloc(70_000, 0x62));
    // 6 single-frame messages plus one message in 2 frames.
    await eventually(
      () => subs.map((c) => c.frames.length),
      (n) => n.every((x) => x === 8),
    );
    for (const c of subs) {
      const texts = c.frames.filter((f) => f.opcode === OP_TEXT && f.fin).map((f) => f.payload.toString());
      expect(texts.sort()).toEqual(['ascii from 0', 'ascii from 1', 'ascii from 2']);
      expect(
        c.frames
          .filter((f) => f.opcode === OP_BINARY)
          .map((f) => f.payload[1])
          .sort(),
      ).toEqual([0, 1, 2]);
      const big = c.frames.filter((f) => f.payload.length > 1000);
      expect(big.map((f) => [f.fin, f.opcode, f.payload.length])).toEqual([
        [false, OP_TEXT, 65_535],
        [true, OP_CONT, 4_465],
      ]);
    }
    expect((await server.stats()).by_endpoint.broadcast).toMatchObject({
      connections_accepted: 3,
      msgs_received: 7,
      msgs_sent: 21,
      msgs_skipped_lagged: 0,
    });
  });

  it('publishes stamped messages into the channel with --publish-interval', async () => {
    const server = await start({ publishIntervalMs: 20 });
    const c = await subscribe(server);
    await eventually(
      () => c.frames.length,
      (n) => n >= 3,
    );
    const seqs = c.frames.slice(0, 3).map((f) => {
      expect(f.opcode).toBe(OP_TEXT);
      return (JSON.parse(f.payload.toString()) as { seq: number }).seq;
    });
    expect(seqs[1]).toBe(seqs[0]! + 1);
    expect(seqs[2]).toBe(seqs[0]! + 2);
  });

  it('lag policy skip: a stalled subscriber skips exactly what the server counts; the others get everything', async () => {
    const server = await start({ broadcastCapacity: 100 });
    const stalled = await subscribe(server, { paused: true });
    const publisher = await subscribe(server);
    const other = await subscribe(server);
    const pub = publisherOf(publisher);

    await publishUntilLagging(pub, server, (s) => s.by_endpoint.broadcast.msgs_skipped_lagged > 0);
    const before = (await fetchStats(server)).by_endpoint.broadcast.msgs_skipped_lagged;
    await pub.publish(2000);
    await eventually(
      () => other.frames.length,
      (n) => n === pub.sent,
    );

    const during = (await fetchStats(server)).by_endpoint.broadcast;
    // The ring was already full and the subscriber stalled: each of the 2000 evicted one message it had not taken.
    expect(during.msgs_skipped_lagged - before).toBe(2000);
    expect(during.drops_by_reason).toEqual({});

    stalled.socket.resume();
    const skipped = during.msgs_skipped_lagged;
    await eventually(
      () => stalled.frames.length,
      (n) => n === pub.sent - skipped,
      20_000,
    );
    const seqs = stalled.frames.map(seqOf);
    expect(countGaps(seqs, pub.sent)).toBe(skipped);
    // It carries on from the oldest retained message: the last 128 arrive after the gap.
    expect(seqs.slice(-128)).toEqual(Array.from({ length: 128 }, (_, i) => pub.sent - 128 + i));

    for (const c of [publisher, other]) expect(countGaps(c.frames.map(seqOf), pub.sent)).toBe(0);
    const after = (await fetchStats(server)).by_endpoint.broadcast;
    expect(after.msgs_skipped_lagged).toBe(skipped);
    expect(after.msgs_sent + after.msgs_skipped_lagged).toBe(pub.sent * 3);
  });

  it('lag policy disconnect: a lagging subscriber is disconnected after what it was sent; the others get everything', async () => {
    const server = await start({ broadcastCapacity: 100, lagPolicy: 'disconnect' });
    const stalled = await subscribe(server, { paused: true });
    const publisher = await subscribe(server);
    const other = await subscribe(server);
    const pub = publisherOf(publisher);

    await publishUntilLagging(pub, server, (s) => (s.by_endpoint.broadcast.drops_by_reason.lagged ?? 0) > 0);
    await pub.publish(2000);
    await eventually(
      () => other.frames.length,
      (n) => n === pub.sent,
    );

    stalled.socket.resume();
    await stalled.closed;
    // What it had been sent arrives whole and in order, then TCP closes: no close frame, no gap.
    const seqs = stalled.frames.map(seqOf);
    expect(stalled.frames.every((f) => f.opcode === OP_TEXT && f.fin && f.payload.length === MESSAGE_BYTES)).toBe(true);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i));
    expect(seqs.length).toBeLessThan(pub.sent);

    for (const c of [publisher, other]) expect(countGaps(c.frames.map(seqOf), pub.sent)).toBe(0);
    const stats = await eventually(
      () => fetchStats(server),
      (s) => s.by_endpoint.broadcast.connections_open === 2,
    );
    expect(stats.by_endpoint.broadcast).toMatchObject({
      msgs_skipped_lagged: 0,
      drops_by_reason: { lagged: 1 },
      closes_by_code: { 1006: 1 },
    });
  });
});
