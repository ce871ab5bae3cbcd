/**
 * The reference server as several processes (`processes` > 1), through the embedded launcher:
 * connections spread over the workers, broadcasts and the one publisher reach every client
 * exactly once and in order across processes, /stats adds every process up, and stopping (or
 * losing the primary, or a worker) leaves no process behind.
 *
 * `maxConnectionsPerProcess` is set low so that the spread is certain: a worker at its limit
 * stops accepting and the kernel hands the next connections to the others.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, type RawData } from 'ws';
import { startEmbeddedServer } from '../../dist/server/embedded.js';
import type { ReferenceServerOptions } from '../../dist/server/options.js';
import type { RunningServer } from '../../dist/server/running-server.js';
import type { ServerStats } from '../../dist/server/stats.js';
import { isAlive } from '../helpers/processes.js';

const servers = new Set<RunningServer>();
const clients = new Set<WebSocket>();

afterEach(async () => {
  for (const ws of clients) ws.terminate();
  clients.clear();
  await Promise.all([...servers].map((s) => s.close()));
  servers.clear();
});

async function start(opts: Partial<ReferenceServerOptions>): Promise<RunningServer> {
  const server = await startEmbeddedServer(opts);
  servers.add(server);
  return server;
}

/** A client that keeps every message it receives, as text. */
interface Client {
  ws: WebSocket;
  received: string[];
}

async function openClients(port: number, path: string, count: number): Promise<Client[]> {
  const opened: Client[] = [];
  // One at a time, so each accept sees the pause of a worker that reached its limit.
  for (let i = 0; i < count; i++) {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { perMessageDeflate: false });
    clients.add(ws);
    const client: Client = { ws, received: [] };
    ws.on('message', (data: RawData) => client.received.push(data.toString()));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    opened.push(client);
  }
  return opened;
}

async function getStats(server: RunningServer, path = '/stats'): Promise<ServerStats> {
  const res = await fetch(`${server.url}${path}`, path === '/stats/reset' ? { method: 'POST' } : {});
  expect(res.status).toBe(200);
  return (await res.json()) as ServerStats;
}

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > until) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function workerPids(stats: ServerStats): number[] {
  return (stats.by_process ?? []).map((p) => p.pid);
}

describe('reference server with processes > 1', () => {
  it('spreads connections over the workers and reports each in by_process', async () => {
    const server = await start({ processes: 3, maxConnectionsPerProcess: 8 });
    expect(server.processes).toBe(3);
    await openClients(server.port, '/websocket', 20);
    const stats = await getStats(server);
    const byProcess = stats.by_process!;
    expect(byProcess.map((p) => p.worker)).toEqual([0, 1, 2]);
    expect(new Set(workerPids(stats)).size).toBe(3);
    expect(workerPids(stats)).not.toContain(server.pid);
    for (const p of byProcess) expect(p.connections_open).toBeGreaterThan(0);
    expect(byProcess.reduce((n, p) => n + p.connections_open, 0)).toBe(20);
    expect(stats.by_endpoint.websocket.connections_open).toBe(20);
  });

  it('relays /broadcast: every client gets every message once, in each publisher order', async () => {
    const server = await start({ processes: 3, maxConnectionsPerProcess: 4 });
    const subs = await openClients(server.port, '/broadcast', 10);
    const spread = (await getStats(server)).by_process!;
    expect(spread.filter((p) => p.connections_open > 0)).toHaveLength(3);

    const publishers = [0, 4, 9];
    const perPublisher = 50;
    for (let i = 0; i < perPublisher; i++) {
      for (const p of publishers) subs[p]!.ws.send(`p${p}-${i}`);
    }
    const total = publishers.length * perPublisher;
    await waitUntil(() => subs.every((s) => s.received.length >= total), 10_000, 'every broadcast delivered');
    // Anything sent twice would have arrived by now too.
    await new Promise((r) => setTimeout(r, 200));
    for (const sub of subs) {
      expect(sub.received).toHaveLength(total);
      for (const p of publishers) {
        const own = sub.received.filter((m) => m.startsWith(`p${p}-`));
        expect(own).toEqual(Array.from({ length: perPublisher }, (_, i) => `p${p}-${i}`));
      }
    }
    const broadcast = (await server.stats()).by_endpoint.broadcast;
    expect(broadcast.msgs_received).toBe(total);
    expect(broadcast.msgs_sent).toBe(total * subs.length);
  });

  it('runs one publisher: seq is continuous at every client and each seq is stamped once', async () => {
    const server = await start({ processes: 3, maxConnectionsPerProcess: 3, publishIntervalMs: 5 });
    const subs = await openClients(server.port, '/broadcast', 8);
    expect((await getStats(server)).by_process!.filter((p) => p.connections_open > 0)).toHaveLength(3);
    // 30 more at every client once all are open: each has then seen the last one's first seq.
    const marks = subs.map((s) => s.received.length);
    await waitUntil(() => subs.every((s, i) => s.received.length >= marks[i]! + 30), 10_000, '30 published messages at every client');

    const stamps = subs.map((s) => s.received.map((m) => JSON.parse(m) as { seq: number; t: string }));
    for (const seen of stamps) {
      const seqs = seen.map((m) => m.seq);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => seqs[0]! + i));
    }
    // A seq every client has seen carries the same stamp everywhere: one publisher, not three.
    const common = Math.max(...stamps.map((seen) => seen[0]!.seq));
    const stampsOfCommon = new Set(stamps.map((seen) => seen.find((m) => m.seq === common)!.t));
    expect(stampsOfCommon.size).toBe(1);
  });

  it('keeps the hyperlane profile relay working, with one ring per process', async () => {
    const server = await start({ processes: 2, maxConnectionsPerProcess: 2, profile: 'hyperlane' });
    const subs = await openClients(server.port, '/broadcast', 4);
    expect((await getStats(server)).by_process!.filter((p) => p.connections_open > 0)).toHaveLength(2);
    subs[0]!.ws.send('from-0');
    subs[3]!.ws.send('from-3');
    await waitUntil(() => subs.every((s) => s.received.length >= 2), 5000, 'both messages at every client');
    for (const sub of subs) expect([...sub.received].sort()).toEqual(['from-0', 'from-3']);
    expect((await server.stats()).by_endpoint.broadcast).toMatchObject({ msgs_received: 2, msgs_sent: 8 });
  });

  it('adds every process up in /stats and stats(), and /stats/reset zeroes them all', async () => {
    const server = await start({ processes: 3, maxConnectionsPerProcess: 2, sseCount: 2, sseIntervalMs: 0 });
    const echoes = await openClients(server.port, '/websocket', 6);
    for (const [i, c] of echoes.entries()) {
      for (let k = 0; k <= i; k++) c.ws.send(`m${k}`);
    }
    const sent = (6 * 7) / 2;
    await waitUntil(() => echoes.every((c, i) => c.received.length === i + 1), 5000, 'every echo');
    expect(await (await fetch(`${server.url}/sse`)).text()).toBe('data:0\r\n\r\ndata:1\r\n\r\n');

    const stats = await getStats(server);
    const byProcess = stats.by_process!;
    expect(byProcess.filter((p) => p.connections_open > 0)).toHaveLength(3);
    expect(stats.msgs_received).toBe(sent);
    expect(stats.msgs_sent).toBe(sent);
    for (const key of ['connections_accepted', 'connections_open', 'msgs_received', 'msgs_sent', 'sse_events_sent'] as const) {
      expect(byProcess.reduce((n, p) => n + p[key], 0)).toBe(stats[key]);
    }
    expect(stats.by_endpoint.websocket).toMatchObject({ connections_open: 6, msgs_received: sent, msgs_sent: sent });
    expect(stats.by_endpoint.sse).toMatchObject({ connections_accepted: 1, sse_events_sent: 2 });
    const viaIpc = await server.stats();
    expect(viaIpc.by_endpoint.websocket).toEqual(stats.by_endpoint.websocket);

    const reset = await getStats(server, '/stats/reset');
    expect(reset.msgs_received).toBe(0);
    expect(reset.connections_accepted).toBe(0);
    expect(reset.connections_open).toBe(6);
    for (const p of reset.by_process!) expect(p.msgs_received).toBe(0);
    expect((await server.stats()).msgs_received).toBe(0);
  });

  it('stop() closes every client with 1001 and ends the primary and every worker', async () => {
    const server = await start({ processes: 3, maxConnectionsPerProcess: 2 });
    const subs = await openClients(server.port, '/broadcast', 5);
    const pids = workerPids(await getStats(server));
    expect(pids).toHaveLength(3);
    const codes = Promise.all(subs.map((s) => new Promise<number>((resolve) => s.ws.once('close', (code: number) => resolve(code)))));

    const startedAt = performance.now();
    const final = await server.close();
    expect(performance.now() - startedAt).toBeLessThan(3000);
    expect(await codes).toEqual([1001, 1001, 1001, 1001, 1001]);
    expect(final.closes_by_code).toEqual({ 1001: 5 });
    expect(final.connections_open).toBe(0);
    for (const pid of [server.pid, ...pids]) expect(isAlive(pid)).toBe(false);
    await expect(server.stats()).rejects.toThrow(/exited/);
  });

  it('workers exit by themselves when the primary dies', async () => {
    const server = await start({ processes: 2 });
    const pids = workerPids(await server.stats());
    expect(pids).toHaveLength(2);
    process.kill(server.pid, 'SIGKILL');
    await waitUntil(() => pids.every((pid) => !isAlive(pid)), 5000, 'orphaned workers gone');
  });

  it('stops the whole server when a worker dies', async () => {
    const server = await start({ processes: 2 });
    const pids = workerPids(await server.stats());
    process.kill(pids[0]!, 'SIGKILL');
    await waitUntil(() => !isAlive(server.pid) && !isAlive(pids[1]!), 5000, 'primary and other worker gone');
    await expect(server.stats()).rejects.toThrow(/exited/);
    expect((await server.failure).message).toBe('embedded server exited on its own (code 1)');
  });
});
