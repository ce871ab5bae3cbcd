/**
 * The multi-process reference server at a small scale and through the CLI: a few thousand
 * connections held by two workers (every one counted open, in bounded time), and
 * `rtbench serve --processes 2` printing its ready line and exiting 0 on SIGINT with no worker
 * left behind. The 100,000-connection measurement is run by hand with bench/hold-connections.js.
 */
import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startEmbeddedServer } from '../../dist/server/embedded.js';
import type { RunningServer } from '../../dist/server/running-server.js';
import type { ServerStats } from '../../dist/server/stats.js';
import { startBin, waitForOutput } from '../helpers/bin.js';
import { isAlive } from '../helpers/processes.js';

const servers = new Set<RunningServer>();
const clients = new Set<WebSocket>();
const children = new Set<ChildProcess>();

afterEach(async () => {
  for (const ws of clients) ws.terminate();
  clients.clear();
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children.clear();
  await Promise.all([...servers].map((s) => s.close()));
  servers.clear();
});

/** Opens `count` idle WebSocket connections, `concurrency` handshakes at a time; resolves with how many opened. */
async function openMany(url: string, count: number, concurrency: number): Promise<number> {
  let next = 0;
  let opened = 0;
  const lane = async (): Promise<void> => {
    while (next < count) {
      next++;
      const ws = new WebSocket(url, { perMessageDeflate: false });
      clients.add(ws);
      const isOpen = await new Promise<boolean>((resolve) => {
        ws.once('open', () => resolve(true));
        ws.once('error', () => resolve(false));
      });
      if (isOpen) opened++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return opened;
}

describe('multi-process reference server at scale', () => {
  it('holds 3,000 connections over two workers, every one counted open', async () => {
    const server = await startEmbeddedServer({ processes: 2, maxConnectionsPerProcess: 2000 });
    servers.add(server);
    const startedAt = performance.now();
    const opened = await openMany(`ws://127.0.0.1:${server.port}/websocket`, 3000, 100);
    expect(opened).toBe(3000);
    expect(performance.now() - startedAt).toBeLessThan(30_000);

    const stats = await server.stats();
    expect(stats.connections_open).toBe(3000);
    expect(stats.by_endpoint.websocket.connections_accepted).toBe(3000);
    const perWorker = stats.by_process!.map((p) => p.connections_open);
    expect(perWorker).toHaveLength(2);
    // 3,000 do not fit under one worker's limit of 2,000: the gate sent the rest to the other.
    for (const n of perWorker) expect(n).toBeGreaterThan(0);

    const final = await server.close();
    expect(final.connections_open).toBe(0);
    // Every connection is closed and counted once; how many finish the 1001 handshake within the
    // grace (rather than being cut off, 1006) depends on how busy this process is.
    expect(Object.values(final.closes_by_code).reduce((n, c) => n + c, 0)).toBe(3000);
    expect(Object.keys(final.closes_by_code).every((code) => code === '1001' || code === '1006')).toBe(true);
  });

  it('rtbench serve --processes 2 prints the ready line and exits 0 on SIGINT, workers included', async () => {
    const run = startBin(['serve', '--port', '0', '--processes', '2'], children);
    const ready = await waitForOutput(run, /^rtbench serve ready on 127\.0\.0\.1:(\d+) \(2 processes \+ 1 primary\)$/m);
    const port = Number(ready[1]);
    const ws = new WebSocket(`ws://127.0.0.1:${port}/websocket`);
    clients.add(ws);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const closed = new Promise<number>((resolve) => ws.once('close', (code: number) => resolve(code)));
    const stats = (await (await fetch(`http://127.0.0.1:${port}/stats`)).json()) as ServerStats;
    const pids = stats.by_process!.map((p) => p.pid);
    expect(pids).toHaveLength(2);

    const signalledAt = performance.now();
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
    expect(performance.now() - signalledAt).toBeLessThan(3000);
    expect(await closed).toBe(1001);
    expect(run.stdout()).toMatch(/rtbench serve stopped \(SIGINT\): 1 connections/);
    expect(run.stderr()).toBe('');
    for (const pid of pids) expect(isAlive(pid)).toBe(false);
  });
});
