/**
 * Thresholds through `rtbench run` against a real reference server: a breach exits 4 and says
 * which threshold and the actual value; a bad threshold exits 2 before any connection opens.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceServer } from '../../dist/server/reference-server.js';
import type { RunningServer } from '../../dist/server/running-server.js';
import { runBin } from '../helpers/bin.js';
import { tempDir } from '../helpers/results.js';

let server: RunningServer;
let target: string;
const dir = tempDir('rtbench-thresholds-');

beforeAll(async () => {
  server = await startReferenceServer({ host: '127.0.0.1', port: 0 });
  target = `ws://127.0.0.1:${server.port}/websocket`;
});

afterAll(async () => {
  await server.close();
});

describe('run --threshold', () => {
  it('exits 4 on a breach, naming the threshold and the actual value, and stores the verdicts', async () => {
    const out = join(dir, 'breach.json');
    const r = await runBin([
      'run',
      '--target',
      target,
      '-c',
      '2',
      '-d',
      '1s',
      '--warmup',
      '0',
      '-w',
      '1',
      '--quiet',
      '--out',
      out,
      '--threshold',
      'latency.p99<1us',
      '--threshold',
      'errors==0',
    ]);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^rtbench: threshold failed: latency\.p99<1us \(actual \d+us\)$/m);
    expect(r.stderr).not.toMatch(/threshold failed: errors==0/);
    expect(r.stdout).toMatch(/^✗ latency\.p99<1us \(actual \d+us\)$/m);
    expect(r.stdout).toMatch(/^✓ errors==0 \(actual 0\)$/m);
    const saved = JSON.parse(readFileSync(out, 'utf8'));
    expect(saved.verdicts).toEqual([
      { check: 'latency.p99<1us', actual: expect.any(Number), unit: 'us', pass: false },
      { check: 'errors==0', actual: 0, unit: '', pass: true },
    ]);
    expect(saved.verdicts[0].actual).toBe(saved.metrics.latency.p99);
  });

  it('exits 2 on a bad threshold before any load starts, listing every problem', async () => {
    const before = (await server.stats()).connections_accepted;
    const out = join(dir, 'bad.json');
    const r = await runBin([
      'run',
      '--target',
      target,
      '-d',
      '1s',
      '--warmup',
      '0',
      '--quiet',
      '--out',
      out,
      '--threshold',
      'latency.p98<5ms',
      '--threshold',
      'errors=0',
      '--threshold',
      'latency.p99<5ms',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      [
        'rtbench: thresholds: "latency.p98<5ms": unknown statistic "p98" for latency; ' +
          'use p50, p90, p99, p99_9, p99_99, min, mean, max or count',
        'thresholds: "errors=0": uses "="; write "==" for equality',
        '',
      ].join('\n'),
    );
    expect(r.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
    expect((await server.stats()).connections_accepted).toBe(before);
  });

  it('--format md prints the Markdown report with the verdicts; exit 0 when every threshold holds', async () => {
    const r = await runBin([
      'run',
      '--target',
      target,
      '-c',
      '2',
      '-d',
      '1s',
      '--warmup',
      '0',
      '-w',
      '1',
      '--quiet',
      '--out',
      join(dir, 'md.json'),
      '--format',
      'md',
      '--threshold',
      'latency.p99<10s',
      '--threshold',
      'msgs_lost==0',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^### rtbench · `echo` · `ws:\/\/127\.0\.0\.1:\d+\/websocket`$/m);
    expect(r.stdout).toMatch(/^\| `latency\.p99<10s` \| [\d.]+s \| ✅ pass \|/m);
    expect(r.stderr).toBe(`rtbench: result written to ${join(dir, 'md.json')}\n`);
  });

  it('refuses --json with another --format', async () => {
    const r = await runBin(['run', '--target', target, '--json', '--format', 'md']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('rtbench: --json is short for --format json; give one of them (got --json and --format md)\n');
  });
});
