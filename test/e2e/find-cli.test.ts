/**
 * `rtbench find` through the built bin: the two truth cases (a serial echo of known rate
 * capacity, a server that holds a known number of connections) found within their tolerance,
 * the answer / step table / JSON / knee chart outputs, and the exit codes (2 bad arguments,
 * 3 unreachable, 4 the SLO fails at --from, 130 interrupted with the steps so far written).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { killAll } from '../../bench/lib/children.js';
import { startIndependentServer } from '../../bench/lib/truth.js';
import { findConnectionCapacity, findRateCapacity, judgeFind, MAX_CONNECTIONS, SERIAL_DELAY_MS } from '../../bench/lib/find-truth.js';
import { runBin, startBin } from '../helpers/bin.js';
import { tempDir } from '../helpers/results.js';

const children = new Set<ChildProcess>();
afterAll(() => {
  killAll();
  for (const c of children) c.kill('SIGKILL');
});
const dir = tempDir('rtbench-find-');

describe('find: truth against servers of known capacity', () => {
  it(`finds a serial echo's ${1000 / SERIAL_DELAY_MS} msgs/s per connection within 10 %`, async () => {
    const run = await findRateCapacity();
    expect(judgeFind(run), run.stderr).toEqual([]);
    expect(run.code).toBe(0);
    // The answer comes first, then the step table with one row per step measured.
    expect(run.stdout.split('\n')[0]).toMatch(
      /^### rtbench find: sustains [\d.]+ msgs\/s per connection \(±5 %\) with latency\.p99&lt;100ms; /,
    );
    const rows = run.stdout.split('\n').filter((l: string) => /^\| \d+ \|/.test(l));
    expect(rows).toHaveLength(run.result.steps.length);
    // The climb doubles from --from (50), well below the capacity, until its first step that did not pass.
    const values = run.result.steps.map((s: { value: number }) => s.value);
    const firstStop = run.result.steps.findIndex((s: { verdict: string }) => s.verdict !== 'pass');
    expect(values.slice(0, firstStop + 1)).toEqual([50, 100, 200, 400, 800].slice(0, firstStop + 1));
    expect(run.result.steps.some((s: { verdict: string }) => s.verdict === 'fail')).toBe(true);
    // Every window's full result is kept (a window the generator fell behind in is run again).
    for (const s of run.result.steps) {
      expect(s.windows.length).toBeGreaterThanOrEqual(1);
      for (const w of s.windows) expect(w.result.schemaVersion).toBe(2);
    }
    // The knee chart: both charts, the SLO's limit line and the bracket.
    expect(run.html).toMatch(/^<!doctype html>/);
    expect(run.html).toContain('aria-label="latency against offered load"');
    expect(run.html).toContain('aria-label="achieved against offered load"');
    expect(run.html).toMatch(/SLO latency\.p99&lt;100ms \(100\.0ms\)/);
    expect(run.html).toMatch(/<rect class="band"[^>]*><title>knee<\/title>/);
  }, 240_000);

  it(`finds a server that holds ${MAX_CONNECTIONS} connections within 5 %`, async () => {
    const run = await findConnectionCapacity();
    expect(judgeFind(run), run.stderr).toEqual([]);
    expect(run.code).toBe(0);
    // A step past the limit fails on the refused connections, and holds exactly the limit at its peak.
    const over = run.result.steps.find((s: { value: number; verdict: string }) => s.value > MAX_CONNECTIONS);
    expect(over.verdict).toBe('fail');
    expect(over.why).toMatch(/^errors = \d+$/);
    expect(over.achieved).toBe(MAX_CONNECTIONS);
    expect(over.errors).toBe(over.value - MAX_CONNECTIONS);
  }, 240_000);
});

describe('find: outcomes and exit codes', () => {
  const quick = ['--confirm', '1', '-d', '1s', '--warmup', '0', '--cooldown', '0', '--quiet'];

  it('exits 4 with the failing figure when the SLO fails at --from', async () => {
    // A server that holds one connection: two fail errors==0 at once, whatever the machine's load.
    const server = await startIndependentServer(0, ['--max-connections', '1']);
    const out = join(dir, 'fails.json');
    const r = await runBin([
      'find',
      'echo',
      '--target',
      server.wsUrl('/'),
      '--vary',
      'rate',
      '--from',
      '10',
      '-c',
      '2',
      '--slo',
      'errors==0',
      ...quick,
      '--out',
      out,
    ]);
    await server.close();
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/^rtbench find: the SLO fails even at --from 10 msgs\/s per connection: errors = 1; lower --from$/m);
    const f = JSON.parse(readFileSync(out, 'utf8'));
    expect(f.answer).toMatchObject({ status: 'fails_at_from', breaksAt: 10 });
    expect(f.steps).toHaveLength(1);
    expect(f.steps[0].windows[0].result.verdicts).toEqual([{ check: 'errors==0', actual: 1, unit: '', pass: false }]);
    expect(existsSync(out.replace(/json$/, 'html'))).toBe(true);
  }, 60_000);

  it('exits 3 when the target cannot be reached, and says so', async () => {
    const r = await runBin([
      'find',
      'echo',
      '--target',
      'ws://127.0.0.1:1/',
      '--vary',
      'connections',
      '--slo',
      'errors==0',
      ...quick,
      '--no-html',
      '--out',
      join(dir, 'unreachable.json'),
    ]);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^rtbench find: the search stopped after 1 step: .*refused/m);
  }, 60_000);

  it('exits 2 on bad arguments before any load, naming the flag', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--vary', 'rate'], /Missing required argument: slo/],
      [['--vary', 'rate', '--slo', 'latency.p98<5ms'], /--slo: "latency.p98<5ms": unknown statistic "p98"/],
      [['--vary', 'rate', '--rate', '10', '--slo', 'errors==0'], /--vary rate sets --rate at every step; leave it out/],
      [['--vary', 'subscribers', '--slo', 'errors==0'], /--vary subscribers: scenario 'echo' has no subscriber group/],
      [['--vary', 'rate', '--precision', '150%', '--slo', 'errors==0'], /--precision must be a share above 0 and below 100 %/],
      [['--vary', 'connections', '--from', '100', '--to', '50', '--slo', 'errors==0'], /--to \(50\) must be above --from \(100\)/],
    ];
    for (const [args, message] of cases) {
      const r = await runBin(['find', 'echo', ...args]);
      expect([r.code, r.stdout], args.join(' ')).toEqual([2, '']);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  }, 60_000);

  it('on Ctrl-C writes the steps measured so far, the interrupted window with them, and exits 130', async () => {
    const out = join(dir, 'interrupted.json');
    const run = startBin(
      ['find', 'echo', '--vary', 'rate', '--from', '10', '--slo', 'errors==0', '-c', '2', '-d', '60s', '--out', out],
      children,
    );
    // The first window is 60 s long: interrupt it once it has been measuring for a second.
    await waitForStderr(run, /step 1 · 10 msgs\/s per connection: measuring/, 30_000);
    await new Promise((r) => setTimeout(r, 1500));
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(run.stderr()).toMatch(/rtbench: interrupted; finishing this window and writing the steps so far/);
    const f = JSON.parse(readFileSync(out, 'utf8'));
    expect(f.answer.status).toBe('interrupted');
    expect(f.steps).toHaveLength(1);
    expect(f.steps[0].verdict).toBe('interrupted');
    expect(f.steps[0].windows[0].result).toMatchObject({ partial: true, interruption: 'interrupted by the user (Ctrl-C)' });
    expect(f.steps[0].windows[0].result.counters.msgs_sent).toBeGreaterThan(0);
  }, 60_000);

  it('renders a saved find result again with rtbench report (table, md, html; not hgrm)', async () => {
    const out = join(dir, 'report-me.json');
    const made = await runBin([
      'find',
      'echo',
      '--target',
      'ws://127.0.0.1:1/',
      '--vary',
      'connections',
      '--from',
      '2',
      '--slo',
      'errors==0',
      ...quick,
      '--out',
      out,
    ]);
    expect(made.code).toBe(3);
    const table = await runBin(['report', out]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(
      /^rtbench find: the search stopped after 1 step: no connection to ws:\/\/127\.0\.0\.1:1\/ could be opened/m,
    );
    expect(table.stdout).toMatch(/│ 1 +│ 2 +│ 0 +│ - +│ - +│ 2 +│ u +│ unreachable │/);
    const md = await runBin(['report', out, '--format', 'md']);
    expect(md.stdout).toMatch(/^\| 1 \| 2 \| 0 \| - \| - \| 2 \| u \| unreachable \|/m);
    const html = await runBin(['report', out, '--format', 'html']);
    expect(html.stdout).toContain('aria-label="latency against offered load"');
    const hgrm = await runBin(['report', out, '--format', 'hgrm']);
    expect([hgrm.code, hgrm.stderr]).toEqual([2, expect.stringMatching(/a find result renders as table, md, json or html/)]);
  }, 60_000);
});

/** Polls the child's stderr (where find's progress goes) until it matches `pattern`. */
async function waitForStderr(run: { stderr: () => string }, pattern: RegExp, timeoutMs: number): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!pattern.test(run.stderr())) {
    if (performance.now() > until) throw new Error(`no ${pattern} in ${JSON.stringify(run.stderr())}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
