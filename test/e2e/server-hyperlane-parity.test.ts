/**
 * Where the `strict` and `hyperlane` profiles must behave alike for a standard client, the same
 * tests run against both: echo of text and non-UTF-8 binary (large ones too: `ws` joins the
 * Hyperlane fragments), broadcast to every client with exact counts, the seed's `/sse`, and
 * the embedded server started with the profile.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { startEmbeddedServer } from '../../dist/server/embedded.js';
import { startReferenceServer, type ServerProfile } from '../../dist/server/reference-server.js';
import type { RunningServer } from '../../dist/server/running-server.js';
import { eventually } from '../helpers/polling.js';
import { rawExchange, splitHead } from '../helpers/raw-http.js';
import { openRecordingClient, type Received } from '../helpers/ws-clients.js';

const servers = new Set<RunningServer>();
const embedded = new Set<RunningServer>();
const sockets = new Set<WebSocket>();
afterEach(async () => {
  for (const ws of sockets) ws.terminate();
  sockets.clear();
  await Promise.all([...servers].map((s) => s.close()));
  servers.clear();
  await Promise.all([...embedded].map((s) => s.close()));
  embedded.clear();
});

function openClient(port: number, path: string): Promise<{ ws: WebSocket; received: Received[] }> {
  return openRecordingClient(port, path, sockets);
}

describe.each<ServerProfile>(['strict', 'hyperlane'])('profile %s, as a standard client sees it', (profile) => {
  async function start(opts: Parameters<typeof startReferenceServer>[0] = {}): Promise<RunningServer> {
    const server = await startReferenceServer({ port: 0, profile, ...opts });
    servers.add(server);
    return server;
  }

  it('echoes text, empty (strict only: hyperlane 22 never answers one), non-UTF-8 binary and 200 KB messages byte for byte, in order', async () => {
    const server = await start();
    const { ws, received } = await openClient(server.port, '/websocket');
    const bigText = 'ü'.repeat(100_000);
    const binary = Buffer.from([0x00, 0xff, 0xfe, 0x80]);
    const bigBinary = Buffer.alloc(200_000, 0xff);
    ws.send('héllo');
    ws.send('');
    ws.send(binary);
    ws.send(bigText);
    ws.send(bigBinary);
    const answersEmpty = profile === 'strict';
    await eventually(
      () => received.length,
      (n) => n === (answersEmpty ? 5 : 4),
    );
    if (answersEmpty) {
      const [empty] = received.splice(1, 1);
      expect(empty!.data.length).toBe(0);
    }
    expect(received.map((m) => m.isBinary)).toEqual([false, true, false, true]);
    expect(received[0]!.data.toString()).toBe('héllo');
    expect(received[1]!.data.equals(binary)).toBe(true);
    expect(received[2]!.data.toString()).toBe(bigText);
    expect(received[3]!.data.equals(bigBinary)).toBe(true);
    expect((await server.stats()).by_endpoint.websocket).toMatchObject({ msgs_received: 5, msgs_sent: answersEmpty ? 5 : 4 });
  });

  it('broadcasts every message to every client, the sender included, with exact counts', async () => {
    const server = await start();
    const clients = await Promise.all([0, 1, 2].map(() => openClient(server.port, '/broadcast')));
    for (const [i, c] of clients.entries()) for (const k of [0, 1, 2]) c.ws.send(`c${i}m${k}`);
    await eventually(
      () => clients.map((c) => c.received.length),
      (n) => n.every((x) => x === 9),
    );
    for (const c of clients) {
      for (let i = 0; i < 3; i++) {
        const fromI = c.received.map((m) => m.data.toString()).filter((t) => t.startsWith(`c${i}m`));
        expect(fromI).toEqual([`c${i}m0`, `c${i}m1`, `c${i}m2`]);
      }
    }
    expect((await server.stats()).by_endpoint.broadcast).toMatchObject({ connections_open: 3, msgs_received: 9, msgs_sent: 27 });
  });

  it("serves the seed's /sse stream byte for byte", async () => {
    const server = await start({ sseCount: 2, sseIntervalMs: 0 });
    const { bytes } = await rawExchange(server.port, 'GET /sse HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect(splitHead(bytes).body.toString('latin1')).toBe('data:0\r\n\r\ndata:1\r\n\r\n');
  });

  it('runs embedded in a child process with the profile and its options', async () => {
    const opts = profile === 'strict' ? {} : { idleDropMs: 5000, broadcastCapacity: 16, lagPolicy: 'disconnect' as const };
    const server = await startEmbeddedServer({ profile, ...opts });
    embedded.add(server);
    const { ws, received } = await openClient(server.port, '/websocket');
    const closed = new Promise<number>((resolve) => ws.once('close', (code: number) => resolve(code)));
    ws.send(Buffer.from('ascii'));
    await eventually(
      () => received.length,
      (n) => n === 1,
    );
    // The opcode tells the profiles apart: strict keeps binary, Hyperlane sniffs UTF-8.
    expect(received[0]!.isBinary).toBe(profile === 'strict');
    expect((await server.stats()).by_endpoint.websocket).toMatchObject({ msgs_received: 1, msgs_sent: 1 });
    const final = await server.close();
    // Shutdown: strict closes with 1001; Hyperlane never sends a close frame.
    expect(await closed).toBe(profile === 'strict' ? 1001 : 1006);
    expect(final.by_endpoint.websocket.closes_by_code).toEqual(profile === 'strict' ? { 1001: 1 } : { 1006: 1 });
  });
});
