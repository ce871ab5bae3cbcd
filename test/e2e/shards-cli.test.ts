/**
 * Sharded runs through the built bin, on loopback: a fan-out run split in two shards merges
 * into a result that carries every section and field the shards had (enumerated from the real
 * files, so a section merge forgets fails here), with deliveries counted exactly across the
 * shards; a shard that cannot make --start-at exits 3 and says so.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../dist/metrics/result.js';
import { runBin, startBin, waitForOutput } from '../helpers/bin.js';
import { tempDir } from '../helpers/results.js';

const dir = tempDir('rtbench-shards-');
const children = new Set<ChildProcess>();
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

/** Keys a merge leaves out on purpose: verdicts judged the parts; a shard's record moves to `parts`. */
const MOVED_OR_DROPPED = new Set(['verdicts', 'shard']);

describe('sharded runs', () => {
  it('merges two shards of a fan-out run with every section and field, deliveries exact', async () => {
    const server = startBin(['serve', '--port', '0'], children);
    const port = (await waitForOutput(server, /ready on [\d.]+:(\d+)/))[1]!;
    const startAt = Date.now() + 5000;
    const files = [0, 1].map((i) => join(dir, `chat-${i}.json`));
    const runs = await Promise.all(
      files.map((out, i) =>
        runBin(
          [
            'run',
            'chat',
            '--target',
            `ws://127.0.0.1:${port}/broadcast`,
            '-c',
            '6',
            '--rate',
            '5',
            '-d',
            '2s',
            '--warmup',
            '500ms',
            '--shard',
            `${i}/2`,
            '--start-at',
            new Date(startAt).toISOString(),
            '--server-pid',
            String(server.child.pid),
            '--threshold',
            'errors==0',
            '--out',
            out,
          ],
          { timeoutMs: 60_000 },
        ),
      ),
    );
    for (const [i, r] of runs.entries()) expect(r.code, `shard ${i}: ${r.stderr}`).toBe(0);
    const parts: RunResult[] = files.map((f) => JSON.parse(readFileSync(f, 'utf8')));
    const out = join(dir, 'chat-merged.json');
    const merge = await runBin(['merge', ...files, '--out', out]);
    expect(merge.code, merge.stderr).toBe(0);
    const merged = JSON.parse(readFileSync(out, 'utf8')) as RunResult & Record<string, unknown>;

    // Every top-level field of the real shards is in the merged result, or moved on purpose.
    const keys = new Set(parts.flatMap((p) => Object.keys(p)));
    for (const k of ['fanout', 'server', 'shard', 'verdicts']) expect(keys, `a shard lacks "${k}": the test lost its reach`).toContain(k);
    for (const key of keys) if (!MOVED_OR_DROPPED.has(key)) expect(merged, `merge lost "${key}"`).toHaveProperty(key);
    expect(merged.parts!.map((p) => p.shard)).toEqual(parts.map((p) => p.shard));
    expect(merged.parts!.map((p) => p.health)).toEqual(parts.map((p) => p.health));
    // ... and every field inside each section.
    for (const section of ['counters', 'errors', 'metrics', 'fanout', 'server', 'health', 'environment', 'target'] as const) {
      const inner = new Set(parts.flatMap((p) => Object.keys((p[section] as object | undefined) ?? {})));
      for (const key of inner) expect(merged[section], `merge lost "${section}.${key}"`).toHaveProperty(key);
    }

    // Fan-out across shards: six users, each receiving every message (its own included).
    const c = merged.counters;
    expect(c.connections_opened).toBe(6);
    expect(merged.fanout!.publishers).toBe(6);
    expect(merged.fanout!.subscribers).toBe(6);
    expect(merged.fanout!.published).toBe(c.msgs_sent);
    expect(c.deliveries_received).toBe(merged.fanout!.published * 6);
    expect(c.deliveries_expected).toBe(c.deliveries_received + c.msgs_lost);
    expect(c.msgs_lost).toBe(0);
    expect(c.msgs_unexpected).toBe(0);
    expect(merged.metrics.fanout_latency!.count).toBe(parts.reduce((a, p) => a + (p.metrics.fanout_latency?.count ?? 0), 0));
    expect(merged.notes.some((n) => n.startsWith('clock assumption:') && n.includes('fanout_latency across shards'))).toBe(true);
  }, 90_000);

  it('exits 3 when a shard is not connected by --start-at, and says so', async () => {
    const server = startBin(['serve', '--port', '0'], children);
    const port = (await waitForOutput(server, /ready on [\d.]+:(\d+)/))[1]!;
    const past = Date.now() - 2000;
    const out = join(dir, 'late.json');
    const r = await runBin([
      'run',
      'echo',
      '--target',
      `ws://127.0.0.1:${port}/websocket`,
      '-c',
      '2',
      '-d',
      '1s',
      '--shard',
      '1/2',
      '--start-at',
      String(past),
      '--out',
      out,
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/rtbench: shard 1\/2 was not connected by --start-at [\d-]+T[\d:.]+Z: ready \d+ ms after it/);
    const result: RunResult = JSON.parse(readFileSync(out, 'utf8'));
    expect(result.partial).toBe(true);
    expect(result.shard).toMatchObject({ index: 1, count: 2, connectionsPerPhase: [[1]], startAt: new Date(past).toISOString() });
    expect(result.shard!.startOffsetMs).toBeUndefined();
  }, 30_000);

  it('refuses shards without a shared target, and reads the shard from an Indexed Job', async () => {
    const r = await runBin(['run', 'echo', '--shard', '0/2', '-d', '1s']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--shard 0\/2: shards split one run over several hosts against one server; give --target/);
    const env = await runBin(['run', 'echo', '--shard-from-env', '-d', '1s']);
    expect(env.code).toBe(2);
    expect(env.stderr).toMatch(/--shard-from-env: JOB_COMPLETION_INDEX and RTBENCH_SHARDS are not set/);
  });
});
