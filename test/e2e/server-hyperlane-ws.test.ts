/**
 * The `hyperlane` profile's WebSocket echo seen on the wire by a raw client (docs/hyperlane-wire.md §1):
 * the handshake head, opcode by UTF-8 validity, 65,535-byte fragments, no pong, TCP drop
 * instead of a close frame, fragmented input dropped, the idle drop, the README variant, and
 * the counters of all of it. Also `/` as the seed's SSE stream and shutdown without close frames.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { ServerStats } from '../../dist/server/reference-server.js';
import type { RunningServer } from '../../dist/server/running-server.js';
import { hyperlaneServers } from '../helpers/hyperlane-servers.js';
import { eventually } from '../helpers/polling.js';
import { rawExchange, splitHead } from '../helpers/raw-http.js';

const OP_CONT = 0x0;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;

const { start, connect, closeAll } = hyperlaneServers();
const wsClients = new Set<WebSocket>();
afterEach(async () => {
  for (const ws of wsClients) ws.terminate();
  wsClients.clear();
  await closeAll();
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function fetchStats(server: RunningServer): Promise<ServerStats> {
  return (await (await fetch(`${server.url}/stats`)).json()) as ServerStats;
}

describe('hyperlane profile: handshake', () => {
  it('answers 101 with upgrade, connection and accept (lower case, as hyperlane 22 writes them), negotiating nothing', async () => {
    const server = await start();
    const c = await connect(server, '/websocket', {
      key: 'dGhlIHNhbXBsZSBub25jZQ==',
      extraHeaders: ['Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits', 'Sec-WebSocket-Protocol: chat'],
    });
    const lines = c.head.split('\r\n');
    expect(lines[0]).toBe('HTTP/1.1 101 Switching Protocols');
    expect(lines).toContain('upgrade:websocket');
    expect(lines).toContain('connection:upgrade');
    expect(lines).toContain('sec-websocket-accept:s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    expect(c.head).not.toMatch(/sec-websocket-extensions|sec-websocket-protocol/i);
  });

  it('lets a standard ws client connect and exchange messages', async () => {
    const server = await start();
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/websocket`);
    wsClients.add(ws);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    expect(ws.extensions).toBe('');
    ws.send('hello');
    const [data, isBinary] = await new Promise<[Buffer, boolean]>((resolve) => ws.once('message', (d, b) => resolve([d as Buffer, b])));
    expect([data.toString(), isBinary]).toEqual(['hello', false]);
  });
});

describe('hyperlane profile: echo frames', () => {
  it('chooses the reply opcode by UTF-8 validity (binary ASCII comes back as text) and never answers an empty message', async () => {
    const server = await start();
    const c = await connect(server);
    c.send(OP_BINARY, 'ascii');
    c.send(OP_BINARY, Buffer.from([0xff, 0xfe, 0x00]));
    c.send(OP_TEXT, 'héllo');
    c.send(OP_TEXT, '');
    c.send(OP_TEXT, 'after');
    await eventually(
      () => c.frames.length,
      (n) => n === 4,
    );
    await sleep(100);
    expect(c.frames.map((f) => [f.fin, f.opcode, f.payload.toString('latin1')])).toEqual([
      [true, OP_TEXT, 'ascii'],
      [true, OP_BINARY, '\xff\xfe\x00'],
      [true, OP_TEXT, Buffer.from('héllo').toString('latin1')],
      [true, OP_TEXT, 'after'],
    ]);
  });

  it('sends a 70,000-byte reply as a FIN=0 frame of 65,535 bytes plus a continuation frame', async () => {
    const server = await start();
    const c = await connect(server);
    const body = Buffer.alloc(70_000, 0x61);
    c.send(OP_TEXT, body);
    await eventually(
      () => c.frames.length,
      (n) => n === 2,
    );
    expect(c.frames.map((f) => [f.fin, f.opcode, f.payload.length])).toEqual([
      [false, OP_TEXT, 65_535],
      [true, OP_CONT, 4_465],
    ]);
    expect(Buffer.concat(c.frames.map((f) => f.payload)).equals(body)).toBe(true);
    // One message in, one message out, however many frames it took.
    expect((await server.stats()).by_endpoint.websocket).toMatchObject({ msgs_received: 1, msgs_sent: 1 });
  });

  it('cuts a long text reply on a UTF-8 character boundary', async () => {
    const server = await start();
    const c = await connect(server);
    const text = `${'a'.repeat(65_534)}€tail`;
    c.send(OP_TEXT, text);
    await eventually(
      () => c.frames.length,
      (n) => n === 2,
    );
    expect(c.frames.map((f) => [f.fin, f.opcode, f.payload.length])).toEqual([
      [false, OP_TEXT, 65_534],
      [true, OP_CONT, 7],
    ]);
    expect(c.frames[1]!.payload.toString('utf8')).toBe('€tail');
  });

  it('does not answer a ping with a pong, and keeps serving', async () => {
    const server = await start();
    const c = await connect(server);
    c.send(OP_PING, 'are you there');
    c.send(OP_PONG, 'unsolicited');
    await sleep(300);
    expect(c.frames).toEqual([]);
    expect(c.isClosed()).toBe(false);
    c.send(OP_TEXT, 'still here');
    await eventually(
      () => c.frames.length,
      (n) => n === 1,
    );
    expect(c.frames[0]!.payload.toString()).toBe('still here');
  });

  it('answers a close frame by closing TCP, with no close frame', async () => {
    const server = await start();
    const c = await connect(server);
    c.send(OP_CLOSE, Buffer.from([0x03, 0xe8])); // 1000
    await c.closed;
    expect(c.frames).toEqual([]);
    const stats = await eventually(
      () => fetchStats(server),
      (s) => s.by_endpoint.websocket.connections_open === 0,
    );
    expect(stats.by_endpoint.websocket.closes_by_code).toEqual({ 1000: 1 });
    expect(stats.by_endpoint.websocket.drops_by_reason).toEqual({ client_close: 1 });
  });

  it('drops the connection on a fragmented message (FIN=0 frame, then a continuation)', async () => {
    const server = await start();
    const c = await connect(server);
    c.send(OP_TEXT, 'frag', { fin: false });
    c.send(OP_CONT, 'ment');
    await c.closed;
    expect(c.frames).toEqual([]);
    const stats = await eventually(
      () => fetchStats(server),
      (s) => s.by_endpoint.websocket.connections_open === 0,
    );
    expect(stats.by_endpoint.websocket.drops_by_reason).toEqual({ fragmented: 1 });
    expect(stats.by_endpoint.websocket.closes_by_code).toEqual({ 1006: 1 });
    expect(stats.by_endpoint.websocket.msgs_sent).toBe(0);
  });

  it('joins a FIN=0 data frame with a following data frame, as Hyperlane does (not RFC fragmentation)', async () => {
    const server = await start();
    const c = await connect(server);
    c.send(OP_TEXT, 'ab', { fin: false });
    c.send(OP_BINARY, 'cd');
    await eventually(
      () => c.frames.length,
      (n) => n === 1,
    );
    expect(c.frames.map((f) => [f.fin, f.opcode, f.payload.toString()])).toEqual([[true, OP_TEXT, 'abcd']]);
    expect(c.isClosed()).toBe(false);
  });

  it('counts messages, closes and drops in /stats across clients', async () => {
    const server = await start();
    const a = await connect(server);
    const b = await connect(server);
    for (let i = 0; i < 5; i++) a.send(OP_TEXT, `a${i}`);
    for (let i = 0; i < 3; i++) b.send(OP_BINARY, Buffer.from([0xff, i]));
    await eventually(
      () => a.frames.length + b.frames.length,
      (n) => n === 8,
    );
    a.send(OP_CLOSE, Buffer.alloc(0));
    b.socket.destroy();
    const stats = await eventually(
      () => fetchStats(server),
      (s) => s.connections_open === 0,
    );
    expect(stats.by_endpoint.websocket).toMatchObject({ connections_accepted: 2, msgs_received: 8, msgs_sent: 8 });
    // 1005: a close frame without a code; 1006: the client vanished without one.
    expect(stats.by_endpoint.websocket.closes_by_code).toEqual({ 1005: 1, 1006: 1 });
    expect(stats.drops_by_reason).toEqual({ client_close: 1 });
  });
});

describe('hyperlane profile: idle drop', () => {
  it('drops a silent client by TCP close after the idle time, with no close frame', async () => {
    const server = await start({ idleDropMs: 300 });
    const started = performance.now();
    const c = await connect(server);
    await c.closed;
    const elapsedMs = performance.now() - started;
    expect(elapsedMs).toBeGreaterThanOrEqual(290);
    expect(elapsedMs).toBeLessThan(2000);
    expect(c.frames).toEqual([]);
    const stats = await eventually(
      () => fetchStats(server),
      (s) => s.connections_open === 0,
    );
    expect(stats.by_endpoint.websocket.drops_by_reason).toEqual({ idle: 1 });
  });

  it('keeps a client that keeps sending, and pings (0x89 0x00) one that only sent a control frame', async () => {
    const server = await start({ idleDropMs: 300 });
    const talker = await connect(server);
    const pinger = await connect(server);
    pinger.send(OP_PING, '');
    for (let i = 0; i < 6; i++) {
      talker.send(OP_TEXT, `m${i}`);
      await sleep(100);
    }
    expect(talker.isClosed()).toBe(false);
    expect(talker.frames).toHaveLength(6);
    // The ping reset nothing: after 300 ms the server probed with a bare Ping, then, hearing
    // nothing more, dropped the connection on the next expiry.
    await pinger.closed;
    expect(pinger.frames.map((f) => [f.opcode, f.payload.length])).toEqual([[OP_PING, 0]]);
  });

  it('is off by default', async () => {
    const server = await start();
    const c = await connect(server);
    await sleep(400);
    expect(c.isClosed()).toBe(false);
  });
});

describe('hyperlane-readme profile', () => {
  it('greets with the client address, then answers each message with the key and then the body', async () => {
    const server = await start({ profile: 'hyperlane-readme' });
    for (const path of ['/websocket', '/ws']) {
      const c = await connect(server, path);
      c.send(OP_TEXT, 'first');
      c.send(OP_BINARY, Buffer.from([0xff]));
      await eventually(
        () => c.frames.length,
        (n) => n === 5,
      );
      expect(c.frames.map((f) => [f.opcode, f.payload.toString('latin1')])).toEqual([
        [OP_TEXT, `127.0.0.1:${c.socket.localPort}`],
        [OP_TEXT, c.key],
        [OP_TEXT, 'first'],
        [OP_TEXT, c.key],
        [OP_BINARY, '\xff'],
      ]);
    }
    const stats = (await server.stats()).by_endpoint.websocket;
    expect(stats).toMatchObject({ connections_accepted: 2, msgs_received: 4, msgs_sent: 10 });
  });

  it('keeps /ws a 404 in the other profiles', async () => {
    const server = await start();
    await expect(connect(server, '/ws')).rejects.toThrow(/404/);
  });
});

describe('hyperlane profile: SSE and shutdown', () => {
  it("serves the seed's stream on / as well as /sse", async () => {
    const server = await start({ sseCount: 3, sseIntervalMs: 20 });
    for (const path of ['/', '/sse']) {
      const { bytes, elapsedMs } = await rawExchange(server.port, `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      const { head, body } = splitHead(bytes);
      expect(head.split('\r\n')).toContain('content-type:text/event-stream');
      expect(head).not.toMatch(/content-length|transfer-encoding/i);
      expect(body.toString('latin1')).toBe('data:0\r\n\r\ndata:1\r\n\r\ndata:2\r\n\r\n');
      expect(elapsedMs).toBeGreaterThanOrEqual(55);
    }
    expect((await server.stats()).by_endpoint.sse.sse_events_sent).toBe(6);
  });

  it('keeps / a 404 in the strict profile', async () => {
    const server = await start({ profile: 'strict' });
    const res = await fetch(`${server.url}/`);
    expect(res.status).toBe(404);
    await res.text();
  });

  it('drops every WebSocket client on close() without a close frame', async () => {
    const server = await start();
    const echo = await connect(server);
    const sub = await connect(server, '/broadcast');
    const final = await server.close();
    await Promise.all([echo.closed, sub.closed]);
    expect([...echo.frames, ...sub.frames]).toEqual([]);
    expect(final.connections_open).toBe(0);
    expect(final.drops_by_reason).toEqual({ shutdown: 2 });
    expect(final.closes_by_code).toEqual({ 1006: 2 });
  });
});
