/**
 * The arena's conformance check, run against every arena server this machine can build
 * (arena/README.md): echo exact with the opcode kept, the seed's ten SSE events then the end of
 * the response, broadcast deliveries exact for 3 clients, and server-published stamps that
 * rtbench's own parsers read. A server whose toolchain is missing is skipped, named with why.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBroadcast, checkEcho, checkPublished, checkSeedSse, checkTicks } from '../../arena/lib/conformance.mjs';
import type { LaunchedServer } from '../../dist/launch/server-command.js';
import { ARENA_TARGETS, BUILD_TIMEOUT_MS, ensureBuilt, skipReason, startArenaServer } from '../helpers/arena.js';

const key = (m: { isBinary: boolean; data: Buffer }): string => `${m.isBinary ? 'binary' : 'text'}:${m.data.toString('hex')}`;

for (const target of ARENA_TARGETS) {
  const missing = skipReason(target);
  describe.skipIf(missing !== undefined)(`arena/${target.name}${missing ? ` (skipped: ${missing})` : ''}`, () => {
    let server: LaunchedServer;
    beforeAll(async () => {
      await ensureBuilt(target);
      server = await startArenaServer(target);
    }, BUILD_TIMEOUT_MS);
    afterAll(async () => {
      await server?.stop();
    });

    it('echoes text, non-UTF-8 binary and a 70 kB text exactly, one reply each, opcode kept', async () => {
      const r = await checkEcho(server.port);
      expect(r.received).toHaveLength(3);
      expect(r.received.map(key)).toEqual(r.sent.map(key));
    });

    it('streams data:0 … data:9 on /sse?interval_ms=20, then ends the response', async () => {
      const r = await checkSeedSse(server.port);
      expect(r.status).toBe(200);
      expect(r.contentType).toMatch(/^text\/event-stream/);
      expect(r.events.map((e) => e.data)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
      expect(r.ended).toBe(true);
    });

    it('broadcasts every message of 3 clients to all 3, the sender included, each exactly once', async () => {
      const r = await checkBroadcast(server.port, 3);
      expect(r.sent).toHaveLength(6);
      const expected = r.sent.map(key).sort();
      for (const got of r.receivedBy) expect(got.map(key).sort()).toEqual(expected);
      // Each sender's own messages arrive in the order it sent them.
      for (const got of r.receivedBy) {
        for (let from = 0; from < 3; from++) {
          const mine = r.sent.filter((m) => m.from === from).map(key);
          expect(got.map(key).filter((k) => mine.includes(k))).toEqual(mine);
        }
      }
    });

    it('publishes stamped {seq,t} messages at ?publish_hz= that rtbench reads as one-way latency', async () => {
      const r = await checkPublished(server.port, 50, 600);
      for (const c of r.perClient) {
        expect(c.count).toBeGreaterThanOrEqual(5);
        expect(c.parsed).toBe(c.count);
        expect(c.seqs.slice(1)).toEqual(c.seqs.slice(0, -1).map((s) => s + 1));
        // The server's clock is this host's CLOCK_MONOTONIC: never more than 1 ms ahead, and recent.
        for (const us of c.oneWayUs) {
          expect(us).toBeGreaterThanOrEqual(-1000);
          expect(us).toBeLessThan(5_000_000);
        }
      }
    });

    it('sends stamped /sse/ticks events with ids, ends after ?count=, and resumes after Last-Event-ID', async () => {
      const { fresh, resumed } = await checkTicks(server.port);
      expect(fresh.events.map((e) => e.id)).toEqual(['0', '1', '2', '3', '4']);
      expect(fresh.stamps.map((s) => s?.seq)).toEqual([0, 1, 2, 3, 4]);
      expect(fresh.ended).toBe(true);
      expect(resumed.stamps.map((s) => s?.seq)).toEqual([42, 43]);
      expect(resumed.ended).toBe(true);
    });
  });
}
