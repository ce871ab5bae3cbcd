/**
 * Readers reject what they cannot read with one line naming the file and the problem (exit 2),
 * and accept single results and rounds files. Entries are matched by scenario, then label.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { entriesFromFiles, settingsWarnings } from '../../dist/compare/entries.js';
import { readResultFile, writeRoundsFile } from '../../dist/compare/result-file.js';
import { ExitCode } from '../../dist/errors.js';
import { makeResult, tempDir, writeJson } from '../helpers/results.js';

const dir = tempDir();

function readError(path: string): { message: string; exitCode: number } {
  try {
    readResultFile(path);
  } catch (err) {
    return { message: (err as Error).message, exitCode: (err as { exitCode: number }).exitCode };
  }
  throw new Error(`${path} was read`);
}

describe('readResultFile', () => {
  it('reads a result and a rounds file', () => {
    const single = writeJson(dir, 'single.json', makeResult());
    expect(readResultFile(single)).toMatchObject({ path: single, runs: [{ scenario: { name: 'echo' } }] });
    const rounds = join(dir, 'rounds', 'node.json');
    writeRoundsFile(rounds, 'node', [makeResult(), makeResult()]);
    expect(readResultFile(rounds)).toMatchObject({ path: rounds, label: 'node', runs: [{}, {}] });
  });

  it('reads a schemaVersion 1 result as version 2 without the server section', () => {
    const path = writeJson(dir, 'v1.json', { ...makeResult(), schemaVersion: 1 });
    const [run] = readResultFile(path).runs;
    expect(run!.schemaVersion).toBe(2);
    expect(run!.server).toBeUndefined();
  });

  it('fills counters an older file lacks with 0', () => {
    const r = makeResult() as unknown as { counters: Record<string, number> };
    delete r.counters.sends_missed;
    expect(readResultFile(writeJson(dir, 'old.json', r)).runs[0]!.counters.sends_missed).toBe(0);
  });

  it.each([
    ['missing.json', null, 'cannot read DIR/missing.json: no such file'],
    ['not-json.json', '{ "schemaVersion": 1, ', 'DIR/not-json.json: not a readable rtbench result: not valid JSON ('],
    ['array.json', [], 'DIR/array.json: not a readable rtbench result: the document is not a JSON object'],
    [
      'v3.json',
      { ...makeResult(), schemaVersion: 3 },
      'DIR/v3.json: not a readable rtbench result: schemaVersion is 3; this rtbench reads 1 and 2',
    ],
    ['other.json', { hello: 'world' }, 'DIR/other.json: not a readable rtbench result: has no schemaVersion (not an rtbench result)'],
    [
      'fields.json',
      { ...makeResult(), scenario: {}, measuredMs: 'soon', timeseries: undefined },
      'DIR/fields.json: not a readable rtbench result: scenario.name is missing; ' +
        'measuredMs must be a number >= 0; timeseries must be a list',
    ],
    [
      'histogram.json',
      { ...makeResult(), metrics: { latency: { ...makeResult().metrics.latency, histogram: 'bm90IGEgaGlzdG9ncmFt' } } },
      'DIR/histogram.json: not a readable rtbench result: metrics.latency.histogram is not a compressed base64 HDR histogram',
    ],
    [
      'count.json',
      { ...makeResult(), metrics: { latency: { ...makeResult().metrics.latency, count: 5 } } },
      'DIR/count.json: not a readable rtbench result: metrics.latency: histogram holds 1000 samples but count says 5',
    ],
    [
      'rounds-bad.json',
      { schemaVersion: 1, kind: 'rounds', label: 'x', rounds: [makeResult(), { schemaVersion: 1 }] },
      'DIR/rounds-bad.json: not a readable rtbench result: rounds[1].scenario.name is missing; ' +
        'rounds[1].target needs url and label; rounds[1].startedAt must be an ISO date; and 7 more',
    ],
  ])('%s: one clear line, exit 2', (name, content, message) => {
    const path = join(dir, name);
    if (content !== null) writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    const e = readError(path);
    expect(e.exitCode).toBe(ExitCode.Usage);
    expect(e.message.split('\n')).toHaveLength(1);
    expect(e.message.replaceAll(dir, 'DIR').startsWith(message)).toBe(true);
  });
});

describe('entriesFromFiles', () => {
  const file = (path: string, runs: ReturnType<typeof makeResult>[], label?: string) => ({ path, runs, ...(label ? { label } : {}) });

  it('matches by target label, not by position: same label = rounds of one entry', () => {
    const entries = entriesFromFiles([
      file('a.json', [makeResult({ label: 'node' })]),
      file('b.json', [makeResult({ label: 'go' })]),
      file('c.json', [makeResult({ label: 'node' })]),
    ]);
    expect(entries.map((e) => [e.label, e.runs.length])).toEqual([
      ['node', 2],
      ['go', 1],
    ]);
  });

  it('lets label=file override the target label', () => {
    const entries = entriesFromFiles([file('old.json', [makeResult()], 'before'), file('new.json', [makeResult()], 'after')]);
    expect(entries.map((e) => e.label)).toEqual(['before', 'after']);
  });

  it('refuses files of different scenarios, naming them', () => {
    expect(() => entriesFromFiles([file('a.json', [makeResult()]), file('b.json', [makeResult({ scenario: 'echo-closed' })])])).toThrow(
      'cannot compare runs of different scenarios: a.json ran "echo", b.json ran "echo-closed"',
    );
  });

  it('warns when runs of one scenario name ran with other settings', () => {
    const other = makeResult({ connections: 50 });
    expect(settingsWarnings([file('a.json', [makeResult()]), file('b.json', [makeResult({ url: 'ws://elsewhere:1/ws' })])])).toEqual([]);
    expect(settingsWarnings([file('a.json', [makeResult()]), file('b.json', [other])])).toEqual([
      'b.json ran scenario "echo" with other settings than a.json ' +
        '(phases, message or connection options differ); the comparison may not be like for like',
    ]);
  });
});
