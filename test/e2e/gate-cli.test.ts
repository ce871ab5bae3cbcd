/**
 * `rtbench gate` through the built bin, on fixed result files: pass (0), regression (4),
 * within noise (0), several files as rounds, and unreadable or mismatched inputs (2, one line).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeRoundsFile } from '../../dist/compare/result-file.js';
import { runBin } from '../helpers/bin.js';
import { makeResult, tempDir, writeJson } from '../helpers/results.js';

const dir = tempDir('rtbench-gate-');
/** 1000 samples whose p99 (the 990th) is exactly `p99Us`. */
const withP99 = (p99Us: number, label = 'node') =>
  makeResult({ label, latencyUs: [...Array<number>(989).fill(Math.round(p99Us / 2)), ...Array<number>(11).fill(p99Us)] });

const base = writeJson(dir, 'base.json', withP99(1000));
const same = writeJson(dir, 'same.json', withP99(1050));
const worse = writeJson(dir, 'worse.json', withP99(1300));

describe('rtbench gate', () => {
  it('passes within the tolerance (exit 0) with the default checks', async () => {
    const r = await runBin(['gate', same, '--baseline', base]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatchInlineSnapshot(`
      "rtbench gate · echo · baseline 1 round, current 1 round
      ┌──────────────┬──────────┬─────────┬───────────────┬───────┬────────┐
      │ check        │ baseline │ current │        change │ limit │ result │
      ├──────────────┼──────────┼─────────┼───────────────┼───────┼────────┤
      │ latency.p99  │   1.00ms │  1.05ms │ +50µs (+5.0%) │   10% │ pass   │
      ├──────────────┼──────────┼─────────┼───────────────┼───────┼────────┤
      │ msgs_per_sec │    100/s │   100/s │  +0/s (+0.0%) │   10% │ pass   │
      └──────────────┴──────────┴─────────┴───────────────┴───────┴────────┘
      ✓ latency.p99=10%: +50µs (+5.0%) is within the 10% limit
      ✓ msgs_per_sec=10%: +0/s (+0.0%) is within the 10% limit
      gate passed: 2 checks
      "
    `);
    expect(r.stderr).toBe('');
  });

  it('fails a regression (exit 4) and names it on stderr', async () => {
    const r = await runBin(['gate', worse, '--baseline', base, '--max-regression', 'latency.p99=10%', '--format', 'md']);
    expect(r.code).toBe(4);
    expect(r.stdout).toContain('| `latency.p99` | 1.00ms | 1.30ms | +300µs (+30.0%) | 10% | ❌ FAIL (regression) |');
    expect(r.stderr).toBe('rtbench: gate failed: latency.p99=10%: +300µs (+30.0%) is worse than the 10% limit\n');
  });

  it('reads several files, and rounds files, as rounds: a change inside their spread passes', async () => {
    const b1 = writeJson(dir, 'b1.json', withP99(1000));
    const b2 = writeJson(dir, 'b2.json', withP99(1400));
    const current = join(dir, 'current-rounds.json');
    writeRoundsFile(current, 'node', [withP99(1250), withP99(1450)]);
    const r = await runBin(['gate', current, '--baseline', b1, '--baseline', b2, '-m', 'latency.p99=10%', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ kind: 'gate', pass: true, baselineRounds: 2, currentRounds: 2 });
    expect(doc.checks[0]).toMatchObject({ status: 'within_noise', change: 150, noise: 300 });
  });

  it('writes the verdict table to --out', async () => {
    const out = join(dir, 'out', 'gate.md');
    const r = await runBin(['gate', worse, '--baseline', base, '-m', 'latency.p99=50%', '--format', 'md', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`rtbench: report written to ${out}\n`);
  });

  it('rejects what it cannot read or compare with one line and exit 2', async () => {
    const other = writeJson(dir, 'other.json', makeResult({ scenario: 'echo-closed' }));
    const junk = writeJson(dir, 'junk.json', { hello: 1 });
    const cases: Array<[string[], string]> = [
      [['gate', join(dir, 'nope.json'), '--baseline', base], `rtbench: cannot read ${join(dir, 'nope.json')}: no such file\n`],
      [
        ['gate', junk, '--baseline', base],
        `rtbench: ${junk}: not a readable rtbench result: has no schemaVersion (not an rtbench result)\n`,
      ],
      [
        ['gate', other, '--baseline', base],
        `rtbench: cannot compare runs of different scenarios: ${base} ran "echo", ${other} ran "echo-closed"\n` +
          `  hint: runs are matched by scenario name, then target label; give files of one scenario\n`,
      ],
      [
        ['gate', same, '--baseline', base, '-m', 'latency.p99<10%'],
        'rtbench: --max-regression: "latency.p99<10%": write metric=tolerance, e.g. latency.p99=10% or latency.p99=2ms\n',
      ],
      [['gate', same], "rtbench: Missing required argument: baseline\nRun 'rtbench --help' for usage.\n"],
    ];
    for (const [args, stderr] of cases) {
      const r = await runBin(args);
      expect({ args, code: r.code, stderr: r.stderr, stdout: r.stdout }).toEqual({ args, code: 2, stderr, stdout: '' });
    }
  });
});
