/**
 * `rtbench serve` through the built bin in a child process: the ready line, a clean exit 0 on
 * SIGINT within 2 s, and exit 2 with one line on stderr for a taken port or a bad flag.
 */
import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startReferenceServer } from '../../dist/server/reference-server.js';
import type { RunningServer } from '../../dist/server/running-server.js';
import { startBin, waitForOutput } from '../helpers/bin.js';

const children = new Set<ChildProcess>();
const servers = new Set<RunningServer>();

afterEach(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children.clear();
  await Promise.all([...servers].map((s) => s.close()));
  servers.clear();
});

describe('rtbench serve', () => {
  it('prints the ready line and endpoint URLs, serves, and exits 0 within 2 s of SIGINT', async () => {
    const run = startBin(['serve', '--port', '0', '--echo-delay', '5'], children);
    const [, port] = await waitForOutput(run, /^rtbench serve ready on 127\.0\.0\.1:(\d+)$/m);
    for (const path of [
      'ws://127.0.0.1:PORT/websocket',
      'ws://127.0.0.1:PORT/broadcast',
      'http://127.0.0.1:PORT/sse',
      'http://127.0.0.1:PORT/sse/ticks',
      'http://127.0.0.1:PORT/stats',
    ]) {
      expect(run.stdout()).toContain(path.replace('PORT', port!));
    }

    const ws = new WebSocket(`ws://127.0.0.1:${port}/websocket`);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const closed = new Promise<number>((resolve) => ws.once('close', (code: number) => resolve(code)));
    ws.send('ping');
    await new Promise((resolve) => ws.once('message', resolve));

    const signalledAt = performance.now();
    run.child.kill('SIGINT');
    const code = await run.exited;
    expect(performance.now() - signalledAt).toBeLessThan(2000);
    expect(code).toBe(0);
    expect(await closed).toBe(1001);
    expect(run.stdout()).toMatch(/rtbench serve stopped \(SIGINT\): 1 connections, 1 msgs received, 1 sent/);
    expect(run.stderr()).toBe('');
  });

  it('exits 2 with one line on stderr and no stack when the port is taken', async () => {
    const taken = await startReferenceServer({ port: 0 });
    servers.add(taken);
    const run = startBin(['serve', '--port', String(taken.port)], children);
    const code = await run.exited;
    expect(code).toBe(2);
    expect(run.stderr()).toBe(`rtbench: port ${taken.port} on 127.0.0.1 is already in use (try --port 0)\n`);
    expect(run.stdout()).toBe('');
  });

  it('exits 2 naming the flag for a bad value', async () => {
    const run = startBin(['serve', '--port', '0', '--echo-delay', 'soon'], children);
    const code = await run.exited;
    expect(code).toBe(2);
    expect(run.stderr()).toBe('rtbench: --echo-delay must be a duration such as 500ms, 10s or 2m (got "soon")\n');
  });

  it('exits 2 for --echo-serial without a delay', async () => {
    const run = startBin(['serve', '--port', '0', '--echo-serial'], children);
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toBe(
      'rtbench: --echo-serial makes --echo-delay serial; give --echo-delay too (e.g. --echo-delay 5ms --echo-serial)\n',
    );
  });
});
