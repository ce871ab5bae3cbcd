/**
 * `rtbench compare` end to end over two real local servers (the reference server, one with a
 * 3 ms echo delay): interleaved rounds, the table and summary, the rounds files, and those
 * files read back by compare, gate, report (HTML in Chromium) and merge. Then a target that
 * refuses connections: flagged, not ranked, exit 3.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceServer } from '../../dist/server/reference-server.js';
import type { RunningServer } from '../../dist/server/running-server.js';
import { runBin } from '../helpers/bin.js';
import { openPage } from '../helpers/chromium.js';
import { tempDir } from '../helpers/results.js';

let fast: RunningServer;
let slow: RunningServer;
const dir = tempDir('rtbench-compare-');
const LOAD = ['echo', '-c', '2', '-d', '1s', '--warmup', '0', '-w', '1', '--quiet'];

beforeAll(async () => {
  fast = await startReferenceServer({ host: '127.0.0.1', port: 0 });
  slow = await startReferenceServer({ host: '127.0.0.1', port: 0, echoDelayMs: 3 });
});

afterAll(async () => {
  await Promise.all([fast.close(), slow.close()]);
});

const url = (s: RunningServer) => `ws://127.0.0.1:${s.port}/websocket`;

describe('compare --target (live)', () => {
  const saveDir = join(dir, 'rounds');

  it('runs interleaved rounds and prints medians, spreads and the summary', async () => {
    const r = await runBin([
      'compare',
      '--target',
      `fast=${url(fast)}`,
      '--target',
      `slow=${url(slow)}`,
      ...LOAD.slice(0, -1),
      '--rounds',
      '2',
      '--cooldown',
      '200ms',
      '--save-dir',
      saveDir,
      '--rank-by',
      'latency.p50',
    ]);
    expect(r.code).toBe(0);
    // Interleaved: A B A B, one line per run on stderr.
    expect(r.stderr.match(/^rtbench: round \d\/2 \w+/gm)).toEqual([
      'rtbench: round 1/2 fast',
      'rtbench: round 1/2 slow',
      'rtbench: round 2/2 fast',
      'rtbench: round 2/2 slow',
    ]);
    expect(r.stderr).toContain(`rtbench: rounds written to ${saveDir}/`);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('rtbench compare · echo · 2 entries (median of 2 rounds ± their median absolute deviation)');
    expect(r.stdout).toMatch(/│ +fast │ +slow │/);
    for (const key of ['latency.p50', 'latency.p99', 'connect_time.p99', 'msgs_per_sec', 'errors', 'error_rate'])
      expect(r.stdout).toMatch(new RegExp(`│ ${key.replace('.', '\\.')} +│`));
    // Every echo waits 3 ms on `slow`: the median is lower on `fast`, whatever the machine.
    expect(r.stdout).toMatch(/^ {2}fast: p50 [\d.]+( ± [\d.]+)? × lower than slow/m);
    process.stdout.write(`\n--- compare over two real servers ---\n${r.stdout}\n`);
  });

  it('saved one rounds file per target that compare, gate, report and merge read back', async () => {
    const a = join(saveDir, 'fast.json');
    const b = join(saveDir, 'slow.json');
    const doc = JSON.parse(readFileSync(a, 'utf8'));
    expect(doc).toMatchObject({ schemaVersion: 2, kind: 'rounds', label: 'fast' });
    expect(doc.rounds).toHaveLength(2);
    expect(doc.rounds.map((x: { target: { label: string } }) => x.target.label)).toEqual(['fast', 'fast']);

    const json = await runBin(['compare', a, b, '--format', 'json', '--rank-by', 'latency.p50']);
    expect(json.code).toBe(0);
    const cmp = JSON.parse(json.stdout);
    expect(cmp.entries.map((e: { label: string; rounds: number }) => [e.label, e.rounds])).toEqual([
      ['fast', 2],
      ['slow', 2],
    ]);
    expect(cmp.ranking[0]).toMatchObject({ winner: 'fast', other: 'slow' });

    // slow against fast as baseline: p50 is 3 ms worse at least, far beyond tolerance and noise.
    const regression = await runBin(['gate', b, '--baseline', a, '--max-regression', 'latency.p50=10%']);
    expect(regression.code).toBe(4);
    expect(regression.stdout).toMatch(/│ latency\.p50 .*FAIL \(regression\)/);
    expect(regression.stderr).toMatch(/^rtbench: gate failed: latency\.p50=10%: \+[\d.]+ms \(\+\d+\.\d%\) is worse than the 10% limit/m);
    const same = await runBin([
      'gate',
      a,
      '--baseline',
      a,
      '--max-regression',
      'latency.p99=10%',
      '--max-regression',
      'errors=0',
      '--format',
      'md',
    ]);
    expect(same.code).toBe(0);
    expect(same.stdout).toContain('**Gate passed: 2 checks.**');

    const html = join(dir, 'live.html');
    const rep = await runBin(['report', a, b, '--format', 'html', '--out', html]);
    expect(rep.code).toBe(0);
    const page = await openPage(pathToFileURL(html).href);
    try {
      expect(await page.evaluate<number>('document.querySelectorAll("figure").length')).toBe(4);
      writeFileSync(fileURLToPath(new URL('../../reports/compare-live-html.png', import.meta.url)), await page.screenshot());
      expect(page.errors).toEqual([]);
    } finally {
      await page.close();
    }

    const merged = join(dir, 'fast-all.json');
    const m = await runBin(['merge', a, '--out', merged]);
    expect(m.code).toBe(0);
    const all = JSON.parse(readFileSync(merged, 'utf8'));
    expect(all.metrics.latency.count).toBe(doc.rounds[0].metrics.latency.count + doc.rounds[1].metrics.latency.count);
    expect(all.counters.msgs_sent).toBe(doc.rounds[0].counters.msgs_sent + doc.rounds[1].counters.msgs_sent);
  });

  it('flags a target that refuses every connection, leaves it unranked and exits 3', async () => {
    const closedPort = await freePort();
    const r = await runBin([
      'compare',
      '--target',
      `fast=${url(fast)}`,
      '--target',
      `dead=ws://127.0.0.1:${closedPort}/websocket`,
      ...LOAD,
      '--rounds',
      '1',
      '--cooldown',
      '0',
      '--no-save',
    ]);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/│ +fast │ +dead \(!\) │/);
    expect(r.stdout).toMatch(/^\(!\) dead: error rate 100\.0% is over the 1\.00% limit \(--max-error-rate\); shown, not ranked$/m);
    expect(r.stdout).toMatch(/^ {2}not ranked: dead \(error rate 100\.0% is over the 1% limit\)$/m);
    expect(r.stderr).toMatch(/^rtbench: dead \(ws:\/\/127\.0\.0\.1:\d+\/websocket\) could not be reached in any round$/m);
    expect(r.stderr).not.toContain('rounds written');
  });

  it('rejects bad live flags before any load', async () => {
    const before = (await fast.stats()).connections_accepted;
    const one = await runBin(['compare', '--target', `fast=${url(fast)}`, 'echo']);
    expect(one).toMatchObject({
      code: 2,
      stderr: 'rtbench: a live comparison needs at least two targets: --target name=url or --server name=command\n',
    });
    const dup = await runBin(['compare', '--target', `x=${url(fast)}`, '--target', `x=${url(slow)}`]);
    expect(dup).toMatchObject({ code: 2, stderr: 'rtbench: target name "x" is given twice; names label the columns and must differ\n' });
    const rank = await runBin(['compare', '--target', `a=${url(fast)}`, '--target', `b=${url(slow)}`, '--rank-by', 'latency.p98']);
    expect(rank.code).toBe(2);
    expect(rank.stderr).toBe(
      'rtbench: --rank-by: unknown statistic "p98" for latency; use p50, p90, p99, p99_9, p99_99, min, mean, max or count\n',
    );
    expect((await fast.stats()).connections_accepted).toBe(before);
    expect(existsSync(join(dir, 'never'))).toBe(false);
  });
});

/** A port nothing listens on: bind, read it, close. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
