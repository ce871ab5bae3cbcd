/**
 * Issue 18, item 4: hostile SSE servers against both drivers, through the built CLI with the
 * generator in rtbench's own process (`-w 1`), whose RSS is read from /proc while it runs.
 *
 * Before the fix a server sending `data: x\n` forever with no blank line grew rtbench by ~35
 * bytes per counted byte: 20 streams at a 2 MiB limit peaked at 1,261 MiB, and one stream of
 * `--sse-client eventsource` (no limit) reached 972 MiB in 6 s. Now each pending event is
 * counted in raw bytes (plus 64 a line) before the parser, 1 MiB by default, and all streams of
 * a process together hold at most 16 MiB pending. The bound asserted, 256 MiB peak for the whole
 * process, leaves room for the eventsource driver's own ~100 MiB (measured peaks: 72-88 MiB with
 * the default driver, 105-173 MiB with eventsource, for 1 to 100 streams).
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/bin.js';

const MIB = 1024 * 1024;
const PEAK_RSS_LIMIT = 256 * MIB;

const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
});

/** An SSE server on loopback whose every stream is written by `feed`. */
async function sseServer(feed: (res: ServerResponse) => void): Promise<number> {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    feed(res);
    req.on('close', () => res.destroy());
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as { port: number }).port;
}

/** `rtbench run sse` against `port` with the result on stdout, sampling the child's RSS every 20 ms. */
interface SseRun {
  code: number | null;
  doc: { errors: Record<string, number>; counters: Record<string, number> };
  peakRss: number;
}

async function runSse(port: number, args: string[]): Promise<SseRun> {
  const child = spawn(
    process.execPath,
    [BIN, 'run', 'sse', '--target', `http://127.0.0.1:${port}/sse`, '-w', '1', '--no-reconnect', '-q', '--out', '-', ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
  let peakRss = 0;
  const sampler = setInterval(() => {
    try {
      const kb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]);
      peakRss = Math.max(peakRss, kb * 1024);
    } catch {}
  }, 20);
  const code = await new Promise<number | null>((r) => child.once('close', r));
  clearInterval(sampler);
  return { code, doc: JSON.parse(out), peakRss };
}

describe('SSE limits count raw bytes, per event and across streams', () => {
  for (const client of ['http', 'eventsource']) {
    it(`a server that sends 'data: x' lines forever and never a blank line (--sse-client ${client})`, async () => {
      const lines = Buffer.from('data: x\n'.repeat(8192));
      const port = await sseServer((res) => {
        const pump = () => {
          while (res.write(lines)) {}
        };
        res.on('drain', pump);
        pump();
      });
      const { code, doc, peakRss } = await runSse(port, ['-c', '20', '-d', '10s', '--sse-client', client]);
      expect(code).toBe(0);
      expect(doc.errors).toEqual({ too_large: 20 });
      expect([doc.counters.connections_opened, doc.counters.events_received]).toEqual([20, 0]);
      // Each stream failed soon after 1 MiB of its budget: 1 MiB / (8 + 64) per line × 8 bytes,
      // plus at most one read's worth of what had arrived with the last chunk.
      expect(doc.counters.bytes_received! / 20).toBeLessThan(116_509 + 128 * 1024);
      expect(peakRss).toBeLessThan(PEAK_RSS_LIMIT);
    });

    it(`30 streams each holding 900 KiB of one unfinished event: 18 fit in the 16 MiB total, 12 fail (--sse-client ${client})`, async () => {
      const held = Buffer.from(`data: ${'y'.repeat(900 * 1024 - 6)}`);
      const port = await sseServer((res) => void res.write(held));
      const { code, doc, peakRss } = await runSse(port, ['-c', '30', '-d', '2s', '--sse-client', client]);
      expect(code).toBe(0);
      expect(doc.errors).toEqual({ too_large: 12 });
      expect(doc.counters.connections_opened).toBe(30);
      expect(peakRss).toBeLessThan(PEAK_RSS_LIMIT);
    });
  }

  it('--max-message raises the SSE limit too: one 900 KiB event passes at 2MiB and fails at 512KiB', async () => {
    const event = Buffer.from(`data: ${'z'.repeat(900 * 1024)}\n\n`);
    const port = await sseServer((res) => void res.end(event));
    const big = await runSse(port, ['-c', '1', '-d', '2s', '--max-message', '2MiB']);
    expect([big.doc.counters.events_received, big.doc.errors]).toEqual([1, {}]);
    const small = await runSse(port, ['-c', '1', '-d', '2s', '--max-message', '512KiB']);
    expect([small.doc.counters.events_received, small.doc.errors]).toEqual([0, { too_large: 1 }]);
  });
});
