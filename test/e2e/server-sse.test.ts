/**
 * The reference server's SSE endpoints over real sockets: `/sse` checked byte for byte against
 * the seed's Hyperlane handler (docs/hyperlane-wire.md §2), and `/sse/ticks` resuming after Last-Event-ID.
 */
import type { Socket } from 'node:net';
import { EventSource } from 'eventsource';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceServer, type ServerStats } from '../../dist/server/reference-server.js';
import type { RunningServer } from '../../dist/server/running-server.js';
import { eventually } from '../helpers/polling.js';
import { connectTcp, rawExchange, readUntil, splitHead } from '../helpers/raw-http.js';

const sockets = new Set<Socket>();
afterEach(() => {
  for (const s of sockets) s.destroy();
  sockets.clear();
});

/** How long this file's waits poll before failing (shorter than the helper's default). */
const WAIT_MS = 3000;

async function fetchStats(server: RunningServer): Promise<ServerStats> {
  return (await (await fetch(`${server.url}/stats`)).json()) as ServerStats;
}

/** Parses an SSE body into its events' fields (enough for the server's own output). */
function parseEvents(body: string): Array<Record<string, string>> {
  return body
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) =>
      Object.fromEntries(block.split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)])),
    );
}

describe('/sse (the seed handler, byte for byte)', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startReferenceServer({ port: 0, sseCount: 3, sseIntervalMs: 50 });
  });
  afterAll(() => server.close());

  it('sends the seed head, data:i CRLF CRLF events, then closes the connection', async () => {
    const { bytes, elapsedMs } = await rawExchange(server.port, 'GET /sse HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const { head, body } = splitHead(bytes);
    const headLines = head.split('\r\n');
    expect(headLines[0]).toBe('HTTP/1.1 200 OK');
    expect(headLines).toContain('Content-Type: text/event-stream');
    expect(headLines).toContain('Connection: keep-alive');
    expect(head).not.toMatch(/content-length/i);
    expect(head).not.toMatch(/transfer-encoding/i);
    // No space after the colon, CRLF CRLF after each event, nothing else: the body ends at the close.
    expect(body.toString('latin1')).toBe('data:0\r\n\r\ndata:1\r\n\r\ndata:2\r\n\r\n');
    // Events at 0, 50 and 100 ms and the close one interval later, as the seed sleeps after each event.
    expect(elapsedMs).toBeGreaterThanOrEqual(140);
  });

  it('ignores the query string', async () => {
    const { bytes } = await rawExchange(server.port, 'GET /sse?x=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect(splitHead(bytes).body.toString('latin1')).toBe('data:0\r\n\r\ndata:1\r\n\r\ndata:2\r\n\r\n');
  });

  it('stops the stream of a client that leaves early', async () => {
    const slow = await startReferenceServer({ port: 0, sseCount: 1000, sseIntervalMs: 20 });
    try {
      const socket = await connectTcp(slow.port);
      sockets.add(socket);
      socket.write('GET /sse HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      await readUntil(socket, (b) => b.includes('data:1\r\n\r\n'));
      socket.destroy();
      const after = await eventually(
        () => slow.stats(),
        (s) => s.by_endpoint.sse.connections_open === 0,
        WAIT_MS,
      );
      await new Promise((r) => setTimeout(r, 100));
      expect((await slow.stats()).by_endpoint.sse.sse_events_sent).toBe(after.by_endpoint.sse.sse_events_sent);
      expect(after.by_endpoint.sse.connections_accepted).toBe(1);
    } finally {
      await slow.close();
    }
  });

  it('sends every event at once with an interval of 0, then closes', async () => {
    const burst = await startReferenceServer({ port: 0, sseIntervalMs: 0 });
    try {
      const { bytes } = await rawExchange(burst.port, 'GET /sse HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      const expected = Array.from({ length: 10 }, (_, i) => `data:${i}\r\n\r\n`).join('');
      expect(splitHead(bytes).body.toString('latin1')).toBe(expected);
      expect((await burst.stats()).by_endpoint.sse.sse_events_sent).toBe(10);
    } finally {
      await burst.close();
    }
  });
});

describe('/sse/ticks', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startReferenceServer({ port: 0, ticksIntervalMs: 10, ticksRetryMs: 50 });
  });
  afterAll(() => server.close());

  it('sends retry:, then id/data events with stamps, and ends after ?count=N', async () => {
    const res = await fetch(`${server.url}/sse/ticks?count=5`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    const body = await res.text();
    expect(body.startsWith('retry: 50\n\n')).toBe(true);
    const events = parseEvents(body).slice(1);
    expect(events.map((e) => e.id)).toEqual(['0', '1', '2', '3', '4']);
    for (const e of events) {
      const stamp = JSON.parse(e.data!) as { seq: number; t: string };
      expect(String(stamp.seq)).toBe(e.id);
      expect(stamp.t).toMatch(/^\d+$/);
    }
  });

  it('resumes after the Last-Event-ID header (id 4 -> first event 5), or ?lastEventId=', async () => {
    const resumed = await (await fetch(`${server.url}/sse/ticks?count=3`, { headers: { 'Last-Event-ID': '4' } })).text();
    expect(
      parseEvents(resumed)
        .slice(1)
        .map((e) => e.id),
    ).toEqual(['5', '6', '7']);
    const byQuery = await (await fetch(`${server.url}/sse/ticks?count=2&lastEventId=9`)).text();
    expect(
      parseEvents(byQuery)
        .slice(1)
        .map((e) => e.id),
    ).toEqual(['10', '11']);
  });

  it('lets an EventSource reconnect and carry on where it stopped', async () => {
    const before = (await server.stats()).by_endpoint.sse_ticks.connections_accepted;
    const es = new EventSource(`${server.url}/sse/ticks?count=4&interval=5`);
    const ids: string[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        es.onmessage = (ev) => {
          ids.push(ev.lastEventId);
          if (ids.length === 10) resolve();
        };
        setTimeout(() => reject(new Error(`only got ids ${ids.join(',')}`)), 5000);
      });
    } finally {
      es.close();
    }
    expect(ids).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    // Three streams of 4 events were needed for 10 events: two reconnects.
    expect((await server.stats()).by_endpoint.sse_ticks.connections_accepted - before).toBe(3);
  });

  it('rejects a bad ?count= with 400', async () => {
    const res = await fetch(`${server.url}/sse/ticks?count=-1`);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/count must be a whole number/);
  });

  it('counts streams and events in /stats', async () => {
    await fetch(`${server.url}/stats/reset`, { method: 'POST' });
    await (await fetch(`${server.url}/sse/ticks?count=6`)).text();
    const stats = await eventually(
      () => fetchStats(server),
      (s) => s.by_endpoint.sse_ticks.connections_open === 0,
      WAIT_MS,
    );
    expect(stats.by_endpoint.sse_ticks).toMatchObject({ connections_accepted: 1, sse_events_sent: 6 });
    expect(stats.sse_events_sent).toBe(6);
  });
});
