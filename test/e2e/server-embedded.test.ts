/**
 * The embedded server: a child process that serves, reports its counters over IPC, stops on
 * request, and does not outlive a parent that dies.
 */
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { UsageError } from '../../dist/errors.js';
import { startEmbeddedServer } from '../../dist/server/embedded.js';
import type { RunningServer } from '../../dist/server/running-server.js';
import { isAlive } from '../helpers/processes.js';

const servers = new Set<RunningServer>();
afterEach(async () => {
  await Promise.all([...servers].map((s) => s.close()));
  servers.clear();
});

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > until) throw new Error(`not true within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('startEmbeddedServer', () => {
  it('serves from a child process, reports stats over IPC and stops', async () => {
    const server = await startEmbeddedServer({ sseCount: 2, sseIntervalMs: 0 });
    servers.add(server);
    expect(server.host).toBe('127.0.0.1');
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.pid).not.toBe(process.pid);
    expect(server.profile).toBe('strict');
    expect(server.processes).toBe(1);

    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/websocket`);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const closed = new Promise<number>((resolve) => ws.once('close', (code: number) => resolve(code)));
    for (let i = 0; i < 3; i++) {
      ws.send(`m${i}`);
      await new Promise((resolve) => ws.once('message', resolve));
    }
    expect(await (await fetch(`${server.url}/sse`)).text()).toBe('data:0\r\n\r\ndata:1\r\n\r\n');

    const stats = await server.stats();
    expect(stats.by_endpoint.websocket).toMatchObject({ connections_open: 1, msgs_received: 3, msgs_sent: 3 });
    expect(stats.by_endpoint.sse.sse_events_sent).toBe(2);

    const final = await server.close();
    expect(await closed).toBe(1001);
    expect(final.by_endpoint.websocket.closes_by_code).toEqual({ 1001: 1 });
    expect(isAlive(server.pid)).toBe(false);
    await expect(server.stats()).rejects.toThrow(/exited/);
    expect(await server.close()).toBe(final);
  });

  it('rejects a taken port with the UsageError from the child', async () => {
    const first = await startEmbeddedServer({});
    servers.add(first);
    const attempt = startEmbeddedServer({ port: first.port });
    await expect(attempt).rejects.toBeInstanceOf(UsageError);
    await expect(attempt).rejects.toThrow(`port ${first.port} on 127.0.0.1 is already in use (try --port 0)`);
  });

  it('exits when its parent dies', async () => {
    const moduleUrl = new URL('../../dist/server/embedded.js', import.meta.url).href;
    const script = `const { startEmbeddedServer } = await import(${JSON.stringify(moduleUrl)});
const s = await startEmbeddedServer({});
process.stdout.write(s.pid + '\\n');`;
    const parent = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    parent.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    try {
      await waitUntil(() => /^\d+\n/.test(out), 10_000);
    } finally {
      parent.kill('SIGKILL');
    }
    const childPid = Number(out.trim());
    expect(childPid).toBeGreaterThan(0);
    await waitUntil(() => !isAlive(childPid), 3000);
  });
});
