/**
 * The `hyperlane` profile checked against Hyperlane itself (issue 17, part 4): the same wire
 * assertions run against the reference server's imitation and against the real framework
 * (arena/hyperlane, hyperlane 22.1.0), so the profile cannot drift from what it imitates.
 * docs/hyperlane-wire.md says what changed in the profile when the two first met. The real
 * server is skipped, with the reason, where Rust is not installed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LaunchedServer } from '../../dist/launch/server-command.js';
import { startReferenceServer } from '../../dist/server/reference-server.js';
import type { RunningServer } from '../../dist/server/running-server.js';
import { ARENA_TARGETS, BUILD_TIMEOUT_MS, ensureBuilt, skipReason, startArenaServer } from '../helpers/arena.js';
import { eventually } from '../helpers/polling.js';
import { rawExchange, splitHead } from '../helpers/raw-http.js';
import { type RawWsClient, rawWebSocket } from '../helpers/raw-ws.js';

const OP_CONT = 0x0;
const OP_TEXT = 0x1;
const OP_BINARY = 0x2;
const OP_CLOSE = 0x8;
const OP_PING = 0x9;
const OP_PONG = 0xa;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A server under test: its port and how to ask for the seed's stream 20 ms apart. */
interface Subject {
  port: number;
  ssePath: string;
  stop(): Promise<unknown>;
}

const real = ARENA_TARGETS.find((t) => t.name === 'hyperlane')!;
const realMissing = skipReason(real);

const subjects: { name: string; skip?: string; start(): Promise<Subject> }[] = [
  {
    name: 'reference server, hyperlane profile',
    async start() {
      const server: RunningServer = await startReferenceServer({ port: 0, profile: 'hyperlane', sseIntervalMs: 20 });
      return { port: server.port, ssePath: '/sse', stop: () => server.close() };
    },
  },
  {
    name: 'real Hyperlane (arena/hyperlane)',
    skip: realMissing,
    async start() {
      await ensureBuilt(real);
      const server: LaunchedServer = await startArenaServer(real);
      return { port: server.port, ssePath: '/sse?interval_ms=20', stop: () => server.stop() };
    },
  },
];

for (const subject of subjects) {
  describe.skipIf(subject.skip !== undefined)(`${subject.name}${subject.skip ? ` (skipped: ${subject.skip})` : ''}`, () => {
    let server: Subject;
    const clients: RawWsClient[] = [];
    const connect = async (path = '/websocket'): Promise<RawWsClient> => {
      const c = await rawWebSocket(server.port, path, { key: 'dGhlIHNhbXBsZSBub25jZQ==' });
      clients.push(c);
      return c;
    };
    beforeAll(async () => {
      server = await subject.start();
    }, BUILD_TIMEOUT_MS);
    afterAll(async () => {
      for (const c of clients) c.socket.destroy();
      await server?.stop();
    });

    it('answers the upgrade with exactly the head hyperlane 22 writes, offering no extension', async () => {
      const c = await connect();
      expect(c.head).toBe(
        'HTTP/1.1 101 Switching Protocols\r\n' +
          'content-length:0\r\n' +
          'connection:upgrade\r\n' +
          'upgrade:websocket\r\n' +
          'sec-websocket-accept:s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n' +
          'content-type:text/html; charset=utf-8\r\n\r\n',
      );
    });

    it('picks the opcode by UTF-8 validity and never answers an empty message', async () => {
      const c = await connect();
      c.send(OP_BINARY, 'ascii');
      c.send(OP_BINARY, Buffer.from([0xff, 0xfe, 0x00]));
      c.send(OP_TEXT, '');
      c.send(OP_TEXT, 'héllo');
      await eventually(
        () => c.frames.length,
        (n) => n === 3,
      );
      await sleep(100);
      expect(c.frames.map((f) => [f.fin, f.opcode, f.payload.toString('latin1')])).toEqual([
        [true, OP_TEXT, 'ascii'],
        [true, OP_BINARY, '\xff\xfe\x00'],
        [true, OP_TEXT, Buffer.from('héllo').toString('latin1')],
      ]);
    });

    it('splits a 70,000-byte reply into a 65,535-byte FIN=0 frame and a continuation', async () => {
      const c = await connect();
      c.send(OP_TEXT, Buffer.alloc(70_000, 0x61));
      await eventually(
        () => c.frames.length,
        (n) => n === 2,
      );
      expect(c.frames.map((f) => [f.fin, f.opcode, f.payload.length])).toEqual([
        [false, OP_TEXT, 65_535],
        [true, OP_CONT, 4_465],
      ]);
    });

    it('cuts a long text reply on a UTF-8 character boundary', async () => {
      const c = await connect();
      c.send(OP_TEXT, `${'a'.repeat(65_534)}€tail`);
      await eventually(
        () => c.frames.length,
        (n) => n === 2,
      );
      expect(c.frames.map((f) => [f.fin, f.opcode, f.payload.length])).toEqual([
        [false, OP_TEXT, 65_534],
        [true, OP_CONT, 7],
      ]);
    });

    it('ignores ping and pong (no pong sent) and keeps serving', async () => {
      const c = await connect();
      c.send(OP_PING, 'are you there');
      c.send(OP_PONG, 'unsolicited');
      await sleep(200);
      expect(c.frames).toEqual([]);
      c.send(OP_TEXT, 'still here');
      await eventually(
        () => c.frames.length,
        (n) => n === 1,
      );
      expect(c.frames[0]!.payload.toString()).toBe('still here');
      expect(c.isClosed()).toBe(false);
    });

    it('answers a close frame by closing TCP, with no close frame', async () => {
      const c = await connect();
      c.send(OP_CLOSE, Buffer.from([0x03, 0xe8]));
      await c.closed;
      expect(c.frames).toEqual([]);
    });

    it('drops the connection on an RFC-fragmented message (FIN=0, then a continuation)', async () => {
      const c = await connect();
      c.send(OP_TEXT, 'frag', { fin: false });
      c.send(OP_CONT, 'ment');
      await c.closed;
      expect(c.frames).toEqual([]);
    });

    it('joins a FIN=0 data frame with the next data frame into one message', async () => {
      const c = await connect();
      c.send(OP_TEXT, 'ab', { fin: false });
      c.send(OP_BINARY, 'cd');
      await eventually(
        () => c.frames.length,
        (n) => n === 1,
      );
      expect(c.frames.map((f) => [f.fin, f.opcode, f.payload.toString()])).toEqual([[true, OP_TEXT, 'abcd']]);
    });

    it('keeps a silent client (no idle drop, as RequestConfig::low_security)', async () => {
      const c = await connect();
      await sleep(400);
      expect(c.isClosed()).toBe(false);
    });

    it('relays a broadcast to every client, the sender included', async () => {
      const a = await connect('/broadcast');
      const b = await connect('/broadcast');
      // The real server subscribes after its upgrade middleware has answered: give it a moment.
      await sleep(200);
      a.send(OP_TEXT, 'to all');
      await eventually(
        () => a.frames.length + b.frames.length,
        (n) => n === 2,
      );
      expect([a, b].map((c) => c.frames.map((f) => f.payload.toString()))).toEqual([['to all'], ['to all']]);
    });

    it("sends the seed's SSE bytes: the head, data:i CRLF CRLF, then a TCP close", async () => {
      const { bytes } = await rawExchange(server.port, `GET ${server.ssePath} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
      const { head, body } = splitHead(bytes);
      expect(head).toBe('HTTP/1.1 200 OK\r\nconnection:keep-alive\r\ncontent-type:text/event-stream\r\n\r\n');
      expect(body.toString('latin1')).toBe(Array.from({ length: 10 }, (_, i) => `data:${i}\r\n\r\n`).join(''));
    });
  });
}
