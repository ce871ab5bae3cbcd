/**
 * The reference server's WebSocket endpoints over real loopback sockets: echo (opcode kept,
 * delay honoured), broadcast (every client gets every message, counted exactly), the stamped
 * publisher, and a stalled client that must not hold the others back.
 */
import type { Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { startReferenceServer, type ServerStats } from '../../dist/server/reference-server.js';
import type { RunningServer } from '../../dist/server/running-server.js';
import { eventually } from '../helpers/polling.js';
import { stalledWebSocketClient } from '../helpers/raw-http.js';
import { openRecordingClient, type Received } from '../helpers/ws-clients.js';

const openClients = new Set<WebSocket>();
const rawSockets = new Set<Socket>();
const extraServers = new Set<RunningServer>();

afterEach(async () => {
  for (const ws of openClients) ws.terminate();
  openClients.clear();
  for (const s of rawSockets) s.destroy();
  rawSockets.clear();
  await Promise.all([...extraServers].map((s) => s.close()));
  extraServers.clear();
});

async function startServer(opts: Parameters<typeof startReferenceServer>[0]): Promise<RunningServer> {
  const server = await startReferenceServer({ port: 0, ...opts });
  extraServers.add(server);
  return server;
}

/** Opens a client and records every message it receives from the start. */
function openClient(server: RunningServer, path: string): Promise<{ ws: WebSocket; received: Received[] }> {
  return openRecordingClient(server.port, path, openClients);
}

function nextMessage(ws: WebSocket, timeoutMs = 2000): Promise<Received> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no message in time')), timeoutMs);
    ws.once('message', (data, isBinary) => {
      clearTimeout(timer);
      resolve({ data: data as Buffer, isBinary });
    });
  });
}

/** How long this file's waits poll before failing (shorter than the helper's default). */
const WAIT_MS = 3000;

async function fetchStats(server: RunningServer): Promise<ServerStats> {
  const res = await fetch(`${server.url}/stats`);
  expect(res.status).toBe(200);
  return (await res.json()) as ServerStats;
}

describe('/websocket echo', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startReferenceServer({ port: 0 });
  });
  afterAll(() => server.close());

  it('echoes text as text and binary as binary, byte for byte', async () => {
    const { ws } = await openClient(server, '/websocket');
    ws.send('héllo ✓');
    const text = await nextMessage(ws);
    expect(text.isBinary).toBe(false);
    expect(text.data.toString('utf8')).toBe('héllo ✓');

    const bytes = Buffer.from([0, 1, 2, 0xfe, 0xff, 0x80]);
    ws.send(bytes);
    const binary = await nextMessage(ws);
    expect(binary.isBinary).toBe(true);
    expect(Buffer.compare(binary.data, bytes)).toBe(0);

    // ASCII sent as binary stays binary (Hyperlane would sniff it to text; ws-based echo keeps the opcode).
    ws.send(Buffer.from('ascii'), { binary: true });
    expect((await nextMessage(ws)).isBinary).toBe(true);

    ws.send('');
    const empty = await nextMessage(ws);
    expect(empty.isBinary).toBe(false);
    expect(empty.data.length).toBe(0);
  });

  it('echoes every size whole and in order, a burst of them too (copied below 16 KiB, written after the header above)', async () => {
    const { ws, received } = await openClient(server, '/websocket');
    const sizes = [1, 125, 126, 16_383, 16_384, 65_535, 65_536, 300_000];
    const payloads = sizes.map((n, i) => Buffer.alloc(n, 0x61 + i));
    // One burst: the server answers in one tick, the first frame at once, the rest corked.
    for (const p of payloads) ws.send(p);
    await eventually(
      () => received.length,
      (n) => n === sizes.length,
      WAIT_MS,
    );
    expect(received.map((m) => m.data.length)).toEqual(sizes);
    for (const [i, m] of received.entries()) expect(m.data.equals(payloads[i]!)).toBe(true);
  });

  it('counts what it received and sent, and the close code the client sent', async () => {
    await fetch(`${server.url}/stats/reset`, { method: 'POST' });
    const a = await openClient(server, '/websocket');
    const b = await openClient(server, '/websocket');
    for (let i = 0; i < 7; i++) a.ws.send(`a${i}`);
    for (let i = 0; i < 5; i++) b.ws.send(Buffer.from([i]));
    await eventually(
      () => a.received.length + b.received.length,
      (n) => n === 12,
      WAIT_MS,
    );
    expect(a.received.map((m) => m.data.toString())).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6']);

    const during = await fetchStats(server);
    expect(during.by_endpoint.websocket).toMatchObject({
      connections_accepted: 2,
      connections_open: 2,
      msgs_received: 12,
      msgs_sent: 12,
    });
    expect(during.msgs_received).toBe(12);

    a.ws.close(1000);
    b.ws.close(4000, 'test');
    const after = await eventually(
      () => fetchStats(server),
      (s) => s.by_endpoint.websocket.connections_open === 0,
      WAIT_MS,
    );
    expect(after.by_endpoint.websocket.closes_by_code).toEqual({ 1000: 1, 4000: 1 });
    expect(after.closes_by_code).toEqual({ 1000: 1, 4000: 1 });
  });

  it('answers 426 to a plain GET and 404 elsewhere', async () => {
    const plain = await fetch(`${server.url}/websocket`);
    expect(plain.status).toBe(426);
    expect(plain.headers.get('upgrade')).toBe('websocket');
    await plain.text();
    const missing = await fetch(`${server.url}/nope`);
    expect(missing.status).toBe(404);
    await missing.text();
    await expect(openClient(server, '/nope')).rejects.toThrow(/404/);
  });
});

describe('/websocket with --echo-delay', () => {
  it('delays each reply by at least the delay, keeping order', async () => {
    const delayMs = 100;
    const server = await startServer({ echoDelayMs: delayMs });
    const { ws, received } = await openClient(server, '/websocket');
    const sentAt = performance.now();
    ws.send('one');
    ws.send('two');
    await nextMessage(ws);
    // 1 ms of slack: the server's timer starts from the loop time cached just before the read.
    expect(performance.now() - sentAt).toBeGreaterThanOrEqual(delayMs - 1);
    await eventually(
      () => received.length,
      (n) => n === 2,
      WAIT_MS,
    );
    expect(received.map((m) => m.data.toString())).toEqual(['one', 'two']);
  });
});

describe('/websocket delay models: pipelined --echo-delay and --echo-serial', () => {
  /** Sends `count` messages in one burst; resolves with each reply's arrival (ms after the burst) in order. */
  async function burst(server: RunningServer, count: number): Promise<{ texts: string[]; atMs: number[] }> {
    const { ws, received } = await openClient(server, '/websocket');
    const atMs: number[] = [];
    const start = performance.now();
    ws.on('message', () => atMs.push(performance.now() - start));
    for (let i = 0; i < count; i++) ws.send(`m${i}`);
    await eventually(
      () => received.length,
      (n) => n === count,
      WAIT_MS,
    );
    return { texts: received.map((m) => m.data.toString()), atMs };
  }
  const inOrder = (count: number) => Array.from({ length: count }, (_, i) => `m${i}`);

  for (const profile of ['strict', 'hyperlane'] as const) {
    it(`${profile}: pipelined, 40 messages sent at once all come back one delay later, never earlier`, async () => {
      const server = await startServer({ echoDelayMs: 100, profile });
      const { texts, atMs } = await burst(server, 40);
      expect(texts).toEqual(inOrder(40));
      // Never early: the server's clock starts after the client's send. 40 messages of a
      // burst are read within a few ms, so the last reply is within ~one delay + slack.
      expect(Math.min(...atMs)).toBeGreaterThanOrEqual(100);
      expect(Math.max(...atMs)).toBeLessThan(180);
    });

    it(`${profile}: serial, 40 messages sent at once come back one per delay, in order`, async () => {
      const server = await startServer({ echoDelayMs: 10, echoSerial: true, profile });
      const { texts, atMs } = await burst(server, 40);
      expect(texts).toEqual(inOrder(40));
      // The k-th reply waits for k delays: the server answers one message at a time.
      for (const [k, t] of atMs.entries()) expect(t).toBeGreaterThanOrEqual((k + 1) * 10);
      // Each next delay starts from when the previous reply was due, so 40 take 400 ms, not 40 × (10 ms + overhead).
      expect(atMs[39]!).toBeLessThan(400 + 60);
    });
  }

  it('echoSerial without a delay is refused', async () => {
    await expect(startReferenceServer({ port: 0, echoSerial: true })).rejects.toThrow('echoSerial needs echoDelayMs > 0');
  });
});

describe('/broadcast', () => {
  it('delivers every message to every client, sender included, with exact counts', async () => {
    const server = await startServer({});
    const clients = await Promise.all(Array.from({ length: 5 }, () => openClient(server, '/broadcast')));
    // Binary sizes around the frame-length boundaries (125/126, 65535/65536) check the frames
    // the server builds itself; the first byte names the sender.
    const binarySizes = [1, 125, 126, 65535, 65536, 200_000];
    const texts = (i: number): string[] => [0, 1, 2, 3].map((k) => `c${i}m${k}`);
    clients.forEach((c, i) => {
      texts(i).forEach((t, k) => {
        c.ws.send(t);
        c.ws.send(Buffer.alloc(binarySizes[k]!, i));
      });
      c.ws.send('');
      for (const size of binarySizes.slice(4)) c.ws.send(Buffer.alloc(size, i));
    });
    const perClient = texts(0).length + binarySizes.length + 1;
    const total = clients.length * perClient;
    await eventually(
      () => clients.map((c) => c.received.length),
      (n) => n.every((x) => x === total),
      WAIT_MS,
    );

    for (const c of clients) {
      expect(c.received.filter((m) => !m.isBinary && m.data.length === 0)).toHaveLength(clients.length);
      for (let i = 0; i < clients.length; i++) {
        const fromI = c.received.filter(
          (m) => m.data.length > 0 && (m.isBinary ? m.data[0] === i : m.data.toString().startsWith(`c${i}m`)),
        );
        expect(fromI.filter((m) => !m.isBinary).map((m) => m.data.toString())).toEqual(texts(i));
        const binaries = fromI.filter((m) => m.isBinary);
        expect(binaries.map((m) => m.data.length)).toEqual(binarySizes);
        expect(binaries.every((m) => m.data.every((byte) => byte === i))).toBe(true);
      }
    }

    const stats = await fetchStats(server);
    expect(stats.by_endpoint.broadcast).toMatchObject({
      connections_accepted: 5,
      connections_open: 5,
      msgs_received: total,
      msgs_sent: total * clients.length,
      msgs_dropped_slow: 0,
    });
  });

  it('publishes stamped messages with increasing seq to every client', async () => {
    const server = await startServer({ publishIntervalMs: 20 });
    const clients = await Promise.all([openClient(server, '/broadcast'), openClient(server, '/broadcast')]);
    await eventually(() => clients.every((c) => c.received.length >= 5), Boolean, WAIT_MS);
    for (const c of clients) {
      const stamps = c.received.slice(0, 5).map((m) => {
        expect(m.isBinary).toBe(false);
        return JSON.parse(m.data.toString()) as { seq: number; t: string };
      });
      for (const s of stamps) {
        expect(s.t).toMatch(/^\d+$/);
        // Same host, same monotonic clock: a stamp is never in the future.
        expect(BigInt(s.t) <= process.hrtime.bigint()).toBe(true);
      }
      for (let i = 1; i < stamps.length; i++) {
        expect(stamps[i]!.seq).toBe(stamps[i - 1]!.seq + 1);
        expect(BigInt(stamps[i]!.t) > BigInt(stamps[i - 1]!.t)).toBe(true);
      }
    }
  });

  it('drops messages for a stalled client while the others get everything', async () => {
    const limit = 64 * 1024;
    const server = await startServer({ slowClientLimitBytes: limit });
    const stalled = await stalledWebSocketClient(server.port, '/broadcast');
    rawSockets.add(stalled);
    const sender = await openClient(server, '/broadcast');
    const other = await openClient(server, '/broadcast');

    // Closed loop on the sender's own copy, so the readers never have more than one message
    // queued, while the stalled client's kernel buffers (a few MiB on loopback) overflow.
    const count = 300;
    const payload = Buffer.alloc(limit, 7);
    for (let i = 0; i < count; i++) {
      const echoed = nextMessage(sender.ws, 5000);
      sender.ws.send(payload);
      await echoed;
    }
    await eventually(
      () => other.received.length,
      (n) => n === count,
      WAIT_MS,
    );
    expect(sender.received.length).toBe(count);

    const stats = await fetchStats(server);
    const b = stats.by_endpoint.broadcast;
    expect(b.msgs_received).toBe(count);
    expect(b.msgs_dropped_slow).toBeGreaterThan(0);
    expect(b.msgs_sent + b.msgs_dropped_slow).toBe(count * 3);
  });
});
