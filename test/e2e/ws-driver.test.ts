/**
 * The WebSocket driver's own frame writes (src/wire/ws-frame.ts, tick-writer.ts) against a
 * plain `ws` server on loopback: a burst written in one tick arrives whole and in order, text
 * and binary alike, and a close started in the same tick lands after the burst; with
 * permessage-deflate the driver leaves framing to `ws` and the server still gets every message.
 */
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type RawData } from 'ws';
import { wsDriver } from '../../dist/protocol/ws.js';

const DIAL = {
  handshakeTimeoutMs: 2000,
  replyTimeoutMs: 2000,
  maxMessageBytes: 1 << 24,
  maxEventBytes: 1 << 20,
  reconnect: false,
  headers: {},
  subprotocols: [],
  insecure: false,
  deflate: false,
};

const servers: WebSocketServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

/** A server that records every message (as text, with its opcode) and the close code. */
async function recordingServer(perMessageDeflate: boolean) {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate });
  servers.push(server);
  await once(server, 'listening');
  const events: string[] = [];
  const closed = new Promise<number>((resolve) => {
    server.on('connection', (ws) => {
      ws.on('message', (data: RawData, isBinary: boolean) => events.push(`${isBinary ? 'bin' : 'txt'}:${(data as Buffer).toString()}`));
      ws.on('close', (code) => resolve(code));
    });
  });
  return { url: `ws://127.0.0.1:${(server.address() as { port: number }).port}/`, events, closed };
}

/** Opens a driver connection; resolves once it is open. */
function open(url: string, deflate: boolean) {
  let ended: (end: unknown) => void;
  const end = new Promise((r) => (ended = r));
  return new Promise<{ conn: ReturnType<typeof wsDriver.open>; end: Promise<unknown> }>((resolve) => {
    const conn = wsDriver.open(
      url,
      { ...DIAL, deflate },
      {
        onOpen: () => resolve({ conn, end }),
        onMessage: () => {},
        onEnd: (e) => ended(e),
      },
    );
  });
}

describe('ws driver frame writes', () => {
  for (const deflate of [false, true]) {
    it(`sends a one-tick burst whole and in order, then the close${deflate ? ' (permessage-deflate: ws frames it)' : ''}`, async () => {
      const server = await recordingServer(deflate);
      const { conn, end } = await open(server.url, deflate);
      const sizes = [3, 200, 70_000];
      // All in one tick: the first frame goes out at once, the rest are corked until the tick
      // ends, and the close frame ws writes itself must queue behind them.
      for (const [i, n] of sizes.entries()) expect(conn.send(Buffer.alloc(n, 0x61 + i), i % 2 === 1)).toBe(true);
      conn.close(2000);
      expect(await server.closed).toBe(1000);
      expect(server.events).toEqual(sizes.map((n, i) => `${i % 2 === 1 ? 'bin' : 'txt'}:${String.fromCharCode(0x61 + i).repeat(n)}`));
      expect(await end).toMatchObject({ initiatedByUs: true, wasOpen: true, code: 1000 });
      // Nothing is accepted once the close has started.
      expect(conn.send(Buffer.from('late'), false)).toBe(false);
    });
  }

  it('with permessage-deflate, a buffer reused for the next message right after send() is still sent as it was', async () => {
    const server = await recordingServer(true);
    const { conn } = await open(server.url, true);
    // As the probe writers do: one buffer, rewritten for every message. ws compresses on the
    // thread pool and queues what comes meanwhile, so it must be handed a copy.
    const shared = Buffer.alloc(2048);
    for (const letter of 'abc') {
      shared.fill(letter);
      expect(conn.send(shared, false)).toBe(true);
    }
    conn.close(2000);
    expect(await server.closed).toBe(1000);
    expect(server.events).toEqual([...'abc'].map((l) => `txt:${l.repeat(2048)}`));
  });
});
