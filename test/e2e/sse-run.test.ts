/**
 * SSE runs end to end (runScenario in process, workers and a reference server in their own
 * processes, real loopback sockets): exact event counts against the server's /stats, the
 * seed's 10 events per stream, push latency, completeness (expected vs received, gaps,
 * duplicates), reconnects with Last-Event-ID, runs that end when every stream has ended, and
 * the same counts from both SSE clients.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../dist/metrics/result.js';
import { runScenario } from '../../dist/runner/run-scenario.js';
import { startReferenceServer, type ServerStats } from '../../dist/server/reference-server.js';
import type { RunningServer } from '../../dist/server/running-server.js';
import { refusedUrl } from '../helpers/misbehaving-servers.js';
import { builtinPlan, planFrom } from '../helpers/run.js';
import { CLOSE_DELIMITED_HEAD, rawSseServer, type RawSseServer } from '../helpers/sse-servers.js';

let server: RunningServer;

beforeAll(async () => {
  // The seed's stream, 20× faster: 10 events 30 ms apart, then the close 30 ms later.
  server = await startReferenceServer({ port: 0, sseCount: 10, sseIntervalMs: 30, ticksIntervalMs: 20, ticksRetryMs: 30 });
});
afterAll(() => server.close());

async function stats(): Promise<ServerStats> {
  return (await (await fetch(`${server.url}/stats`)).json()) as ServerStats;
}

/** A one-group SSE scenario file. */
function sseScenario(sse: Record<string, unknown>, phase: Record<string, unknown>): Record<string, unknown> {
  return { name: 'test-sse', protocol: 'sse', sse, phases: [{ duration: '10s', connections: 10, ...phase }] };
}

function checkSeedRun(result: RunResult, streams: number): void {
  const c = result.counters;
  expect(c.connections_opened).toBe(streams);
  expect(c.connections_closed).toBe(streams);
  expect(c.events_received).toBe(streams * 10);
  expect(c.events_expected).toBe(streams * 10);
  expect(c.msgs_lost + c.msgs_duplicated + c.reconnects).toBe(0);
  expect(result.metrics.first_event_time!.count).toBe(streams);
  expect(result.metrics.connect_time!.count).toBe(streams);
  expect(result.errors).toEqual({});
}

describe('the sse scenario (the seed stream)', () => {
  it('each stream delivers its 10 events, counted exactly as the server sent them; the run ends with the streams', async () => {
    await fetch(`${server.url}/stats/reset`, { method: 'POST' });
    const plan = builtinPlan('sse', { target: `${server.url}/sse`, connections: 20 });
    const { result, outcome } = await runScenario(plan);
    expect(outcome, result.interruption).toBe('completed');
    checkSeedRun(result, 20);
    const sse = (await stats()).by_endpoint.sse;
    expect(sse.connections_accepted).toBe(20);
    expect(sse.sse_events_sent).toBe(result.counters.events_received);
    // -d (30 s) is only an upper bound: the streams last ~330 ms.
    expect(result.durationMs).toBeLessThan(15_000);
    expect(result.partial).toBe(false);
  });

  it('the eventsource client reports the same counts on the same streams', async () => {
    await fetch(`${server.url}/stats/reset`, { method: 'POST' });
    const plan = builtinPlan('sse', { target: `${server.url}/sse`, connections: 20, sseClient: 'eventsource' });
    const { result, outcome } = await runScenario(plan);
    expect(outcome, result.interruption).toBe('completed');
    checkSeedRun(result, 20);
    expect((await stats()).by_endpoint.sse.sse_events_sent).toBe(200);
  });

  it('with two workers the run still ends when the last stream of either has ended', async () => {
    await fetch(`${server.url}/stats/reset`, { method: 'POST' });
    const { result, outcome } = await runScenario(builtinPlan('sse', { target: `${server.url}/sse`, connections: 11, workers: 2 }));
    expect(outcome, result.interruption).toBe('completed');
    checkSeedRun(result, 11);
    expect((await stats()).by_endpoint.sse.sse_events_sent).toBe(110);
    expect(result.durationMs).toBeLessThan(15_000);
  });

  it('streams cut short: the shortfall against expectEvents is lost', async () => {
    // Six of the seed's ten events, then the close.
    const short: RawSseServer = await rawSseServer(
      (socket) => void socket.end(`${CLOSE_DELIMITED_HEAD}${[0, 1, 2, 3, 4, 5].map((i) => `data:${i}\r\n\r\n`).join('')}`),
    );
    try {
      const { result } = await runScenario(builtinPlan('sse', { target: short.url, connections: 5 }));
      expect(result.counters.events_received).toBe(30);
      expect(result.counters.events_expected).toBe(50);
      expect(result.counters.msgs_lost).toBe(20);
    } finally {
      await short.close();
    }
  });

  it('a target that refuses every stream is unreachable', async () => {
    const { outcome, result } = await runScenario(
      builtinPlan('sse', { target: (await refusedUrl()).replace('ws:', 'http:'), connections: 3 }),
    );
    expect(outcome).toBe('unreachable');
    expect(result.errors.connect_refused).toBe(3);
    // A refused stream is an error, not 10 lost events.
    expect(result.counters.events_expected + result.counters.msgs_lost).toBe(0);
  });
});

describe('stamped ticks', () => {
  it('counts match the server exactly and push latency is one-way and bounded on loopback', async () => {
    await fetch(`${server.url}/stats/reset`, { method: 'POST' });
    const plan = planFrom(sseScenario({ reconnect: false, expectEvents: 15 }, { connections: 10, untilStreamsEnd: true }), {
      target: `${server.url}/sse/ticks?count=15&interval=40`,
    });
    const { result, outcome } = await runScenario(plan);
    expect(outcome, result.interruption).toBe('completed');
    const c = result.counters;
    expect(c.events_received).toBe(150);
    expect((await stats()).by_endpoint.sse_ticks.sse_events_sent).toBe(150);
    expect(c.events_expected).toBe(150);
    expect(c.msgs_lost + c.msgs_duplicated).toBe(0);
    const push = result.metrics.push_latency!;
    // Histograms hold the steady part only: a stream's first events may land during the ramp.
    expect(push.count).toBeGreaterThanOrEqual(130);
    expect(push.count).toBeLessThanOrEqual(150);
    expect(push.min).toBeGreaterThan(0);
    expect(push.max).toBeLessThan(1_000_000);
    expect(result.metrics.event_gap!.count).toBeLessThanOrEqual(140);
    expect(c.bytes_received).toBeGreaterThan(150 * 30);
  });

  it('reconnects with Last-Event-ID resume the sequence: no duplicates, no gaps', async () => {
    // Each response ends after 5 events; the server's retry: is 30 ms.
    const plan = planFrom(sseScenario({}, { connections: 4 }), { target: `${server.url}/sse/ticks?count=5&interval=10`, durationMs: 1200 });
    const { result, outcome } = await runScenario(plan);
    expect(outcome, result.interruption).toBe('completed');
    const c = result.counters;
    expect(c.reconnects).toBeGreaterThanOrEqual(4 * 3);
    expect(c.connections_opened).toBeGreaterThanOrEqual(c.reconnects);
    expect(c.events_received).toBeGreaterThanOrEqual(5 * c.reconnects);
    // Every response that opened is closed exactly once: by the server (then reconnected) or by
    // the drain; a stream waiting to reconnect at the drain closes no connection.
    expect(c.connections_closed).toBe(c.connections_opened);
    expect(c.msgs_lost).toBe(0);
    expect(c.msgs_duplicated).toBe(0);
    expect(result.errors).toEqual({});
  });

  it('a server without Last-Event-ID support repeats its stream: every repeat is a duplicate', async () => {
    // Like the seed: data 0..2 with no ids, then the close (with a short retry: so it reconnects fast).
    const repeating = await rawSseServer(
      (socket) => void socket.end(`${CLOSE_DELIMITED_HEAD}retry: 20\r\n\r\ndata:0\r\n\r\ndata:1\r\n\r\ndata:2\r\n\r\n`),
    );
    try {
      const { result, outcome } = await runScenario(
        planFrom(sseScenario({}, { connections: 3 }), { target: repeating.url, durationMs: 600 }),
      );
      expect(outcome, result.interruption).toBe('completed');
      const c = result.counters;
      expect(c.reconnects).toBeGreaterThanOrEqual(3);
      expect(c.msgs_duplicated).toBe(c.events_received - 3 * 3);
      expect(c.msgs_lost).toBe(0);
    } finally {
      await repeating.close();
    }
  });
});

describe('a stream dropped mid-way', () => {
  it('counts the drop as a reset and a reconnect, and the ids it never got back as lost', async () => {
    const dropping = await rawSseServer((socket, req) => {
      const ids = (list: number[]) => list.map((i) => `id: ${i}\ndata: e${i}\n\n`).join('');
      if (req.index % 3 === 0) {
        // Ids 0..4, then the connection drops inside a chunked body.
        socket.write(`HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n`);
        const body = `retry: 20\n\n${ids([0, 1, 2, 3, 4])}`;
        socket.write(`${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n`);
        setTimeout(() => socket.destroy(), 30);
      } else if (req.index % 3 === 1) {
        // Resumed after Last-Event-ID 4, but 5 and 6 are gone; then the stream ends.
        socket.end(`${CLOSE_DELIMITED_HEAD}${ids([7, 8, 9])}`);
      } else socket.end('HTTP/1.1 204 No Content\r\n\r\n');
    });
    try {
      // One stream at a time, so the server's script runs per stream.
      const plan = planFrom(sseScenario({}, { connections: 1, untilStreamsEnd: true }), { target: dropping.url });
      const { result, outcome } = await runScenario(plan);
      expect(outcome, result.interruption).toBe('completed');
      expect(dropping.requests.map((r) => r.headers['last-event-id'])).toEqual([undefined, '4', '9']);
      const c = result.counters;
      expect(c.events_received).toBe(8);
      expect(c.reconnects).toBe(2);
      expect(c.msgs_lost).toBe(2);
      expect(c.msgs_duplicated).toBe(0);
      expect(c.connections_opened).toBe(2);
      expect(result.errors).toEqual({ reset: 1, sse_bad_status_204: 1 });
    } finally {
      await dropping.close();
    }
  });
});

describe('mixed WebSocket + SSE', () => {
  it('runs echo clients and SSE listeners side by side against the embedded server', async () => {
    const plan = builtinPlan('mixed', { connections: 6, durationMs: 1500, warmupMs: 500 });
    const { result, outcome } = await runScenario(plan);
    expect(outcome, result.interruption).toBe('completed');
    expect(result.counters.connections_opened).toBe(6);
    expect(result.metrics.latency!.count).toBeGreaterThan(0);
    expect(result.counters.events_received).toBeGreaterThan(0);
    expect(result.metrics.push_latency!.count).toBeGreaterThan(0);
    expect(result.counters.msgs_lost + result.counters.msgs_duplicated).toBe(0);
  });
});
