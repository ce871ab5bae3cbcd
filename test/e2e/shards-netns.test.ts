/**
 * Shards on simulated hosts (issue 16): the reference server in one network namespace, three
 * client hosts in three others, all on a bridge with their own 10.x addresses. Each shard runs
 * `rtbench run --shard i/3 --start-at T` in its own namespace; the merged result must equal the
 * server's own counts exactly and its histograms must add up. Root only: skipped, with the
 * reason, where network namespaces cannot be made.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeHistogram } from '../../dist/metrics/histogram.js';
import type { RunResult } from '../../dist/metrics/result.js';
import { BIN, runBin } from '../helpers/bin.js';
import { makeSimulatedHosts, namespacesNamed, netnsUnavailable } from '../helpers/netns.js';
import { tempDir } from '../helpers/results.js';

const unavailable = netnsUnavailable();
if (unavailable) console.warn(`shards-netns: skipped: ${unavailable}`);

const SHARDS = 3;
const CONNECTIONS = 10; // 4 + 3 + 3: shares that differ
const PORT = 47_613;

/** Runs rtbench inside namespace `ns`; resolves with its exit code and output. */
function inNamespace(ns: string, args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', CI: '1' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}

/** The server's `/stats`, read from inside its namespace. */
function serverStats(ns: string, url: string): Record<string, number> {
  const script = `fetch(${JSON.stringify(url)}).then((r) => r.text()).then((t) => process.stdout.write(t))`;
  const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, '-e', script], { encoding: 'utf8', timeout: 10_000 });
  return JSON.parse(r.stdout);
}

/** Waits (bounded) for a line matching `pattern` on the child's stdout. */
function waitForLine(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`server not ready in ${timeoutMs} ms: ${JSON.stringify(seen)}`)), timeoutMs);
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      seen += c;
      if (pattern.test(seen)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('close', () => reject(new Error(`server exited: ${JSON.stringify(seen)}`)));
  });
}

describe.skipIf(unavailable !== undefined)('shards on three simulated hosts (network namespaces)', () => {
  const dir = tempDir('rtbench-netns-');
  let prefix = '';

  afterAll(() => {
    // The test's own finally removed them; this says so for the record.
    if (prefix) expect(namespacesNamed(prefix)).toEqual([]);
  });

  it('merges three shards into exactly what the server counted', async () => {
    const hosts = makeSimulatedHosts(SHARDS);
    prefix = hosts.server.ns.slice(0, 9);
    let server: ChildProcess | undefined;
    try {
      const { ns: srv, address } = hosts.server;
      server = spawn('ip', ['netns', 'exec', srv, process.execPath, BIN, 'serve', '--host', address, '--port', String(PORT)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      await waitForLine(server, /ready on/, 15_000);
      const target = `ws://${address}:${PORT}/websocket`;
      // Room for three Node processes to start and connect on a loaded 2-core machine.
      const startAt = Date.now() + 6000;
      const runs = await Promise.all(
        hosts.clients.map((c, i) =>
          inNamespace(
            c.ns,
            [
              'run',
              'echo',
              '--target',
              target,
              '-c',
              String(CONNECTIONS),
              '--rate',
              '20',
              '-d',
              '3s',
              '--warmup',
              '1s',
              '--shard',
              `${i}/${SHARDS}`,
              '--start-at',
              String(startAt),
              '--out',
              join(dir, `shard-${i}.json`),
              '--quiet',
            ],
            60_000,
          ),
        ),
      );
      for (const [i, r] of runs.entries()) expect(r.code, `shard ${i}: ${r.stderr}`).toBe(0);
      const stats = serverStats(srv, `http://${address}:${PORT}/stats`);

      const files = hosts.clients.map((_, i) => join(dir, `shard-${i}.json`));
      const shards: RunResult[] = files.map((f) => JSON.parse(readFileSync(f, 'utf8')));
      const out = join(dir, 'merged.json');
      const merge = await runBin(['merge', ...files, '--out', out]);
      expect(merge.code, merge.stderr).toBe(0);
      const merged: RunResult = JSON.parse(readFileSync(out, 'utf8'));

      // Each shard held its exact share, from its own address, and started on time.
      expect(shards.map((s) => s.shard?.connectionsPerPhase)).toEqual([[[4]], [[3]], [[3]]]);
      expect(shards.map((s) => s.counters.connections_opened)).toEqual([4, 3, 3]);
      for (const s of shards) {
        expect(s.shard!.startAt).toBe(new Date(startAt).toISOString());
        expect(s.shard!.startOffsetMs).toBeGreaterThanOrEqual(0);
        expect(s.shard!.startOffsetMs).toBeLessThan(1000);
        expect(s.shard!.clock.source).toBe(`http://${address}:${PORT}/time`);
        expect(s.shard!.clock.targetOffsetMs).not.toBeNull();
      }

      // The merged result is what the server saw, exactly.
      const c = merged.counters;
      expect(c.connections_opened).toBe(CONNECTIONS);
      expect(c.connections_opened).toBe(stats.connections_accepted);
      expect(c.msgs_sent).toBe(stats.msgs_received);
      expect(c.msgs_received).toBe(stats.msgs_sent);
      expect(c.msgs_lost).toBe(0);
      expect(c.connections_failed).toBe(0);
      // About 10 × 20 msg/s × 3 s were sent in all (a send falls due at the drain's edge or not).
      expect(Math.abs(c.msgs_sent - CONNECTIONS * 20 * 3)).toBeLessThanOrEqual(CONNECTIONS);

      // Histograms add: counts and decoded totals.
      for (const id of ['latency', 'latency_uncorrected', 'connect_time'] as const) {
        const sum = shards.reduce((a, s) => a + (s.metrics[id]?.count ?? 0), 0);
        expect(merged.metrics[id]!.count, id).toBe(sum);
        expect(decodeHistogram(merged.metrics[id]!.histogram).totalCount, id).toBe(sum);
      }
      expect(merged.metrics.connect_time!.count).toBe(CONNECTIONS);

      // Every shard is kept with its health; the clock assumption is stated.
      expect(merged.parts!.map((p) => p.label)).toEqual(['shard 0/3', 'shard 1/3', 'shard 2/3']);
      expect(merged.health.worst_part).toMatch(/^shard [012]\/3 on /);
      expect(merged.notes.some((n) => n.startsWith('clock assumption:'))).toBe(true);
      expect(merged.notes.some((n) => n.startsWith('measured clock offsets to the target: shard 0/3'))).toBe(true);
    } finally {
      server?.kill('SIGKILL');
      hosts.remove();
    }
    expect(namespacesNamed(prefix)).toEqual([]);
  }, 120_000);
});
