/**
 * `rtbench merge` through the built bin: shards merge into one readable result equal to one
 * histogram recorded with everything; mismatched or unreadable inputs exit 2 with one line.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createLatencyHistogram, summarizeHistogram } from '../../dist/metrics/histogram.js';
import { runBin } from '../helpers/bin.js';
import { evenly, makeResult, tempDir, writeJson } from '../helpers/results.js';

const dir = tempDir('rtbench-merge-');

describe('rtbench merge', () => {
  it('writes one exact result from shards, readable by report', async () => {
    const a = evenly(2000, 100, 5000);
    const b = evenly(500, 4000, 90_000);
    const fa = writeJson(dir, 'shard-0.json', makeResult({ latencyUs: a, errors: { reset: 1 } }));
    const fb = writeJson(dir, 'shard-1.json', makeResult({ latencyUs: b, errors: { reset: 2 } }));
    const out = join(dir, 'all', 'merged.json');
    const r = await runBin(['merge', fa, fb, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^rtbench: merged 2 results of "echo", latency 2\.50k samples, p99 [\d.]+ms to .*merged\.json\n$/);
    const merged = JSON.parse(readFileSync(out, 'utf8'));
    const all = createLatencyHistogram();
    for (const v of [...a, ...b]) all.recordValue(v);
    const { histogram, ...summary } = merged.metrics.latency;
    expect(summary).toEqual(summarizeHistogram(all));
    expect(typeof histogram).toBe('string');
    expect(merged.errors).toEqual({ reset: 3 });

    const report = await runBin(['report', out, '--format', 'json']);
    expect(report.code).toBe(0);
    expect(JSON.parse(report.stdout).metrics.latency.count).toBe(2500);
  });

  it('prints the merged result on stdout without --out', async () => {
    const f = writeJson(dir, 'one.json', makeResult());
    const r = await runBin(['merge', f, f]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).metrics.latency.count).toBe(2000);
  });

  it('refuses different scenarios and unreadable files (exit 2, one line)', async () => {
    const echo = writeJson(dir, 'echo.json', makeResult());
    const closed = writeJson(dir, 'closed.json', makeResult({ scenario: 'echo-closed' }));
    const mixed = await runBin(['merge', echo, closed, '--out', join(dir, 'x.json')]);
    expect(mixed).toMatchObject({
      code: 2,
      stdout: '',
      stderr: 'rtbench: cannot merge results of different scenarios ("echo", "echo-closed"); merge the shards or rounds of one scenario\n',
    });
    const bad = writeJson(dir, 'v9.json', { ...makeResult(), schemaVersion: 9 });
    const unreadable = await runBin(['merge', echo, bad]);
    expect(unreadable).toMatchObject({
      code: 2,
      stdout: '',
      stderr: `rtbench: ${bad}: not a readable rtbench result: schemaVersion is 9; this rtbench reads 1 and 2\n`,
    });
  });
});
