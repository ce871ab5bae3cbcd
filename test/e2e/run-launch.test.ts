/**
 * `rtbench run --server 'CMD'`: rtbench starts the target itself, waits until it accepts, runs,
 * and stops the whole process group afterwards, whatever happened. Each failure of the command
 * is one line on stderr and exit 3, with nothing left running.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freeLoopbackPort } from '../../dist/launch/server-command.js';
import { groupAlive } from '../../dist/proc.js';
import type { ServerResources } from '../../dist/metrics/result.js';
import { isAlive } from '../helpers/processes.js';

const TRUTH_SERVER = 'node test/fixtures/truth-server.mjs';

function run(args: string[]) {
  const out = join(mkdtempSync(join(tmpdir(), 'rtbench-launch-')), 'result.json');
  const r = spawnSync(process.execPath, ['bin/rtbench.js', 'run', 'echo', ...args, '--out', out, '--quiet'], {
    encoding: 'utf8',
    timeout: 40_000,
  });
  let result: { counters: Record<string, number>; notes: string[]; target: { label: string }; server?: ServerResources } | undefined;
  try {
    result = JSON.parse(readFileSync(out, 'utf8'));
  } catch {
    result = undefined;
  }
  return { status: r.status, stderr: r.stderr, result };
}

/** Pids of live processes whose command line contains `marker` (from /proc; zombies excluded). */
function processesWith(marker: string): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name) && Number(name) !== process.pid)
    .filter((pid) => {
      try {
        const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        return cmdline.includes(marker) && isAlive(Number(pid));
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** The pid the run's note names for the launched command. */
function launchedPid(notes: string[]): number {
  const note = notes.find((n) => n.startsWith('target: the server command'));
  expect(note, 'the note naming the launched command').toBeDefined();
  return Number(/\(pid (\d+)\)/.exec(note!)![1]);
}

describe('run --server', () => {
  it('starts the command on a free port ({port}), measures it, and leaves nothing running', () => {
    const r = run(['--server', 'node bin/rtbench.js serve --port {port}', '-c', '4', '-d', '1s', '--warmup', '0']);
    expect(r.status).toBe(0);
    const c = r.result!.counters;
    expect(c.connections_opened).toBe(4);
    expect(c.msgs_sent).toBeGreaterThan(300);
    expect(c.msgs_received).toBe(c.msgs_sent);
    expect(r.result!.target.label).toBe('node bin/rtbench.js serve --port {port}');
    // The command ran in a process group of its own, and no process of it is left.
    expect(groupAlive(launchedPid(r.result!.notes))).toBe(false);
  });

  it('reports what the launched server cost over the measured window, and thresholds can use it', () => {
    const r = run([
      '--server',
      'node bin/rtbench.js serve --port {port}',
      '-c',
      '8',
      '--rate',
      '200',
      '-d',
      '2s',
      '--warmup',
      '500ms',
      '--threshold',
      'server.rss.peak<4GiB',
      '--threshold',
      'server.cpu_percent.mean<0.001',
    ]);
    // The second threshold cannot hold: a server echoing 1,600 msg/s uses some CPU.
    expect(r.status).toBe(4);
    const s = r.result!.server!;
    expect(s.source).toBe('launched');
    expect(s.pid).toBe(launchedPid(r.result!.notes));
    expect(s.processes).toBeGreaterThanOrEqual(1);
    expect(s.cpu_percent.mean).toBeGreaterThan(0);
    expect(s.cpu_percent.max).toBeGreaterThanOrEqual(s.cpu_percent.mean);
    expect(s.rss_bytes.peak).toBeGreaterThanOrEqual(s.rss_bytes.start);
    expect(s.rss_bytes.start).toBeGreaterThan(10 * 1024 * 1024);
    // The server holds a socket per connection beside its listener and stdio.
    expect(s.open_fds).toBeGreaterThanOrEqual(8 + 4);
    expect(s.threads).toBeGreaterThanOrEqual(1);
    expect(s.msgs_per_cpu_second).toBeGreaterThan(0);
    expect(s.rss_bytes_per_connection).toBe(Math.round(s.rss_bytes.peak / 8));
    // Sampled every 250 ms over the 1.5 s measured window.
    expect(s.timeseries.length).toBeGreaterThanOrEqual(4);
    expect(r.stderr).toContain('threshold failed: server.cpu_percent.mean<0.001');
  });

  it('--server-pid samples a server the user started (with --target)', async () => {
    const child = spawn(process.execPath, ['test/fixtures/truth-server.mjs'], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      const line = await new Promise<string>((resolve) => child.stdout!.once('data', (b: Buffer) => resolve(b.toString())));
      const { ws } = JSON.parse(line) as { ws: number };
      const r = run(['--target', `ws://127.0.0.1:${ws}/`, '--server-pid', String(child.pid), '-c', '2', '-d', '1s', '--warmup', '0']);
      expect(r.status).toBe(0);
      expect(r.result!.server).toMatchObject({ pid: child.pid, source: 'pid', processes: 1 });
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('without {port}, uses the port the command prints', () => {
    const r = run(['--server', 'node bin/rtbench.js serve --port 0', '-c', '2', '-d', '500ms', '--warmup', '0']);
    expect(r.status).toBe(0);
    expect(r.result!.counters.msgs_received).toBeGreaterThan(0);
    expect(r.result!.notes.some((n) => /started by rtbench on 127\.0\.0\.1:\d+/.test(n))).toBe(true);
  });

  it('--server-url: a command that names no {port} and prints none is waited for at that URL', async () => {
    const port = await freeLoopbackPort();
    // The fixture prints JSON ({"ws":port,...}), no "host:port": only --server-url says where to look.
    const r = run(['--server', `${TRUTH_SERVER} --port ${port}`, '--server-url', `ws://127.0.0.1:${port}/`, '-c', '2', '-d', '500ms']);
    expect(r.status).toBe(0);
    expect(r.result!.counters.msgs_received).toBeGreaterThan(0);
    expect(r.result!.notes.some((n) => n.includes(`started by rtbench on 127.0.0.1:${port} `))).toBe(true);
  });

  it('a server that ignores SIGTERM is killed after the grace period, with everything it started', () => {
    const r = run(['--server', `${TRUTH_SERVER} --port {port} --ignore-sigterm`, '-c', '2', '-d', '500ms', '--warmup', '0']);
    expect(r.status).toBe(0);
    expect(r.result!.counters.msgs_received).toBe(r.result!.counters.msgs_sent);
    expect(groupAlive(launchedPid(r.result!.notes))).toBe(false);
  });

  it('a command that is not found: one line with its own error, exit 3', () => {
    const r = run(['--server', 'rtbench-no-such-command --port {port}', '-d', '1s']);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/^rtbench: server command 'rtbench-no-such-command --port \{port\}' exited \(code 127\) /m);
    expect(r.stderr).toMatch(/before it accepted connections; its last output:\n {2}.*not found/);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
    // Nothing ran, and the result file says so.
    expect(r.result).toMatchObject({ partial: true, counters: { msgs_sent: 0 } });
    expect((r.result as unknown as { interruption: string }).interruption).toMatch(/^server command .* exited \(code 127\)/);
  });

  it('a command that exits at once: exit 3', () => {
    const r = run(['--server', `node -e "process.exit(4)"`, '-d', '1s']);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain(`\nrtbench: server command 'node -e "process.exit(4)"' exited (code 4) before it accepted connections\n`);
  });

  it('a command that never listens or prints a port: exit 3 after the ready timeout, and it is stopped', () => {
    const started = Date.now();
    const r = run(['--server', `node -e "setInterval(() => {}, 1000)" marker-${started}`, '--server-ready-timeout', '1s', '-d', '1s']);
    expect(r.status).toBe(3);
    expect(r.stderr).toContain('printed no port and has no {port} in it within 1 s');
    expect(processesWith(`marker-${started}`)).toEqual([]);
  });

  it('a command that names a port another program holds: never mistaken for the server, exit 3', async () => {
    const other = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    const port = (other.address() as { port: number }).port;
    try {
      const command = `node -e "console.log('listening on 127.0.0.1:${port}'); setInterval(() => {}, 1000)"`;
      const r = await new Promise<ReturnType<typeof run>>((resolve) =>
        setImmediate(() => resolve(run(['--server', command, '--server-ready-timeout', '1s', '-d', '1s']))),
      );
      expect(r.status).toBe(3);
      expect(r.stderr).toContain(`is not what listens on 127.0.0.1:${port} (another program holds the port)`);
    } finally {
      other.close();
    }
  });

  it('--server and --target together: exit 2 before anything starts', () => {
    const r = run(['--server', 'node bin/rtbench.js serve --port {port}', '--target', 'ws://127.0.0.1:1/']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('rtbench: give --server (a command rtbench starts) or --target (a server already running), not both');
  });
});
