/**
 * `npm run arena -- --quick`: the matrix runner end to end over the Node server (no build, so it
 * runs wherever the repo's dependencies are installed), one process and the --cluster variant,
 * on the shortest workload: conformance, then one `rtbench compare --server` round each, then
 * RESULTS.md with the table, the comparison JSON, the rounds files and the HTML report.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { ARENA_TARGETS, skipReason } from '../helpers/arena.js';
import { tempDir } from '../helpers/results.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const missing = skipReason(ARENA_TARGETS.find((t) => t.name === 'node')!);

describe.skipIf(missing !== undefined)(`npm run arena -- --quick${missing ? ` (skipped: ${missing})` : ''}`, () => {
  it('checks, measures and writes RESULTS.md, the comparison JSON, rounds files and the HTML report', () => {
    const out = tempDir('rtbench-arena-quick-');
    const r = spawnSync(
      process.execPath,
      ['arena/run.mjs', '--quick', '--servers', 'node,node-cluster', '--only-workloads', 'echo-1k', '--out', out],
      { cwd: REPO, encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/arena check: node +PASS/);
    expect(r.stdout).toMatch(/arena check: node-cluster +PASS/);
    const dir = join(out, 'echo-1k');
    const comparison = JSON.parse(readFileSync(join(dir, 'comparison.json'), 'utf8'));
    expect(comparison.kind).toBe('comparison');
    expect(comparison.entries.map((e: { label: string }) => e.label)).toEqual(['node', 'node-cluster']);
    for (const name of ['node', 'node-cluster']) expect(existsSync(join(dir, 'rounds', `${name}.json`))).toBe(true);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toMatch(/<html/i);
    const md = readFileSync(join(out, 'RESULTS.md'), 'utf8');
    expect(md).toMatch(/A --quick smoke run/);
    expect(md).toMatch(/## Echo latency at 1k msgs\/s/);
    // Both servers in the table, each with its server CPU and RSS cells filled in.
    for (const name of ['node', 'node-cluster'])
      expect(md).toMatch(new RegExp(`^\\| ${name} \\| .* \\| [\\d.]+% \\| [\\d.]+ MiB \\| [^|]*\\|$`, 'm'));
    expect(md).toMatch(/\[HTML report with plots\]\(echo-1k\/report\.html\)/);
    expect(md).toContain('--server-cpus 0 --client-cpus 1');
  }, 60_000);
});
