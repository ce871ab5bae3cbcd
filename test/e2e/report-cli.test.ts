/**
 * `rtbench report` through the built bin: every format from one saved result, `hgrm` as one
 * file per metric with --out, several files as a comparison, bad input exits 2.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBin } from '../helpers/bin.js';
import { evenly, makeResult, tempDir, writeJson } from '../helpers/results.js';

const dir = tempDir('rtbench-report-');
const result = makeResult({ latencyUs: evenly(1000, 800, 3000), uncorrectedUs: evenly(1000, 500, 2000) });
const file = writeJson(dir, 'run.json', result);

describe('rtbench report', () => {
  it('renders table (default), json, md, hgrm and html on stdout', async () => {
    const table = await runBin(['report', file]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^rtbench 0\.1\.0 · echo · ws:\/\/127\.0\.0\.1:9001\/node$/m);

    const json = await runBin(['report', file, '--json']);
    expect(JSON.parse(json.stdout)).toEqual(result);

    const md = await runBin(['report', file, '--format', 'md']);
    expect(md.stdout).toMatch(/^\| `latency` \| 1\.00k \| /m);

    const hgrm = await runBin(['report', file, '--format', 'hgrm']);
    expect(hgrm.stdout.match(/^# .*$/gm)).toEqual(['# latency', '# latency_uncorrected', '# connect_time']);

    const html = await runBin(['report', file, '--format', 'html']);
    expect(html.stdout).toMatch(/^<!doctype html>/);
    for (const r of [json, md, hgrm, html]) expect([r.code, r.stderr]).toEqual([0, '']);
  });

  it('writes hgrm as one file per metric into the --out folder', async () => {
    const out = join(dir, 'hgrm');
    const r = await runBin(['report', file, '--format', 'hgrm', '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`rtbench: 3 .hgrm files written to ${out}/\n`);
    expect(readdirSync(out).sort()).toEqual(['connect_time.hgrm', 'latency.hgrm', 'latency_uncorrected.hgrm']);
    expect(readFileSync(join(out, 'latency.hgrm'), 'utf8')).toMatch(/^ {7}Value {5}Percentile TotalCount 1\/\(1-Percentile\)\n\n/);
  });

  it('renders several files as a comparison, labels from label=file', async () => {
    const other = writeJson(dir, 'other.json', makeResult({ latencyUs: evenly(1000, 1600, 6000) }));
    const r = await runBin(['report', `before=${file}`, `after=${other}`, '--format', 'md']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('| metric | before | after |');
    expect(r.stdout).toMatch(/^- before: p99 [\d.]+ × lower than after$/m);
    const hgrm = await runBin(['report', `before=${file}`, `after=${other}`, '--format', 'hgrm', '--out', join(dir, 'cmp')]);
    expect(hgrm.code).toBe(0);
    expect(readdirSync(join(dir, 'cmp')).sort()).toEqual([
      'after.connect_time.hgrm',
      'after.latency.hgrm',
      'before.connect_time.hgrm',
      'before.latency.hgrm',
      'before.latency_uncorrected.hgrm',
    ]);
  });

  it('compare refuses a single entry and live-only flags on saved files', async () => {
    const one = await runBin(['compare', file, file]);
    expect(one).toMatchObject({
      code: 2,
      stderr:
        'rtbench: nothing to compare: every run is "echo" against "node"\n' +
        '  hint: give files from different targets, or label them yourself: rtbench compare before=a.json after=b.json\n',
    });
    const flags = await runBin(['compare', file, file, '-c', '10']);
    expect(flags).toMatchObject({
      code: 2,
      stderr:
        'rtbench: --connections applies to live comparisons only (with --target name=url)\n' +
        '  hint: saved results are compared as they were run\n',
    });
  });

  it('exits 2 with one line for a file it cannot read', async () => {
    const notJson = join(dir, 'broken.json');
    await import('node:fs').then((fs) => fs.writeFileSync(notJson, '{"schemaVersion": 1,'));
    const r = await runBin(['report', notJson, '--format', 'md']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      new RegExp(
        `^rtbench: ${notJson.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: not a readable rtbench result: not valid JSON \\(.+\\)\\n$`,
      ),
    );
  });
});
