/**
 * The fan-out scenarios from the built CLI in a child process: against an external target
 * and against the embedded server, with the table's capacity view and the result file, and
 * the usage error for a publish rate the target cannot take.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../../dist/metrics/result.js';
import { startReferenceServer } from '../../dist/server/reference-server.js';
import type { RunningServer } from '../../dist/server/running-server.js';
import { runBin } from '../helpers/bin.js';

let server: RunningServer;
let dir: string;
beforeAll(async () => {
  server = await startReferenceServer({ port: 0 });
  dir = mkdtempSync(join(os.tmpdir(), 'rtbench-fanout-'));
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('rtbench run (fan-out scenarios)', () => {
  it('run chat --target: the table shows publish rate, deliveries/s and one-way latency; the file agrees', async () => {
    const out = join(dir, 'chat.json');
    const r = await runBin([
      'run',
      'chat',
      '--target',
      `ws://127.0.0.1:${server.port}/broadcast`,
      '-c',
      '4',
      '--rate',
      '10',
      '-d',
      '1s',
      '-o',
      out,
    ]);
    expect(r.stderr).toContain(`result written to ${out}`);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('fan-out: 4 publishers → 4 subscribers (senders receive their own messages)');
    expect(r.stdout).toMatch(/publish rate \d+\/s \(\d+ published\) · fan-out throughput \d+ deliveries\/s/);
    expect(r.stdout).toContain('fanout_latency, one-way (shared clock): p50');
    expect(r.stdout).toContain('worst subscribers');
    const result = JSON.parse(readFileSync(out, 'utf8')) as RunResult;
    const c = result.counters;
    expect(c.deliveries_expected).toBe(c.msgs_sent * 4);
    expect(c.deliveries_received).toBe(c.deliveries_expected);
    expect(result.fanout?.publishers).toBe(4);
    expect(result.scenario.fanout).toEqual({ includeSender: true, lateAfterMs: 100 });
  });

  it('run broadcast on the embedded server with --rate: the server publishes, subscribers only receive', async () => {
    const out = join(dir, 'broadcast.json');
    const r = await runBin(['run', 'broadcast', '-c', '20', '--rate', '20', '-d', '1s', '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("fan-out: the server's own publisher (20 msg/s,");
    const result = JSON.parse(readFileSync(out, 'utf8')) as RunResult;
    expect(result.target.embedded).toBe(true);
    expect(result.counters.msgs_sent).toBe(0);
    expect(result.counters.deliveries_received).toBeGreaterThan(20 * 10);
    expect(result.counters.deliveries_received).toBe(result.counters.deliveries_expected);
    expect(result.fanout).toMatchObject({ subscribers: 20, serverPublishRatePerSec: 20 });
  });

  it('run broadcast --target --rate is a usage error: the target publishes by itself', async () => {
    const r = await runBin(['run', 'broadcast', '--target', `ws://127.0.0.1:${server.port}/broadcast`, '--rate', '5', '-o', '-']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--rate: every group of scenario 'broadcast' only subscribes");
    expect(r.stdout).toBe('');
  });
});
