/**
 * `rtbench compare --server name=CMD`: rtbench starts each server itself, afresh for every
 * round, one at a time (A B A B), and the side-by-side table carries each server's CPU and
 * memory next to its latency. Nothing is left running afterwards.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { groupAlive } from '../../dist/proc.js';
import type { RunResult } from '../../dist/metrics/result.js';
import { runBin } from '../helpers/bin.js';
import { tempDir } from '../helpers/results.js';

const REF = 'node bin/rtbench.js serve --port {port}';

describe('compare --server (live, servers started by rtbench)', () => {
  it('starts each server fresh per round, one at a time, and compares their cost too', async () => {
    const saveDir = join(tempDir('rtbench-compare-launch-'), 'rounds');
    const r = await runBin([
      'compare',
      '--server',
      `ref=${REF}`,
      '--server',
      `slow=${REF} --echo-delay 3`,
      'echo',
      '-c',
      '2',
      '-d',
      '1s',
      '--warmup',
      '0',
      '-w',
      '1',
      '--rounds',
      '2',
      '--cooldown',
      '100ms',
      '--save-dir',
      saveDir,
      '--rank-by',
      'latency.p50',
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr.match(/^rtbench: round \d\/2 \w+/gm)).toEqual([
      'rtbench: round 1/2 ref',
      'rtbench: round 1/2 slow',
      'rtbench: round 2/2 ref',
      'rtbench: round 2/2 slow',
    ]);
    // The side-by-side table has the servers' cost rows.
    expect(r.stdout).toMatch(/server\.cpu_percent\.mean/);
    expect(r.stdout).toMatch(/server\.rss\.peak/);
    // Ranked, or left out with the reason when a round's generator fell behind (a loaded machine).
    expect(r.stdout).toMatch(/ref: p50 [\d.]+ ± [\d.]+ × lower than slow|the generator fell behind in \d of 2 rounds/);

    const rounds = ['ref', 'slow'].flatMap((name) => {
      const doc = JSON.parse(readFileSync(join(saveDir, `${name}.json`), 'utf8')) as { rounds: RunResult[] };
      return doc.rounds;
    });
    expect(rounds).toHaveLength(4);
    // Every round had its own server process, and each one is gone.
    const pids = rounds.map((run) => run.server!.pid);
    expect(new Set(pids).size).toBe(4);
    for (const pid of pids) expect(groupAlive(pid)).toBe(false);
    for (const run of rounds) expect(run.server!.source).toBe('launched');
    // One server at a time holds by construction: each round launches and stops its own server
    // inside runScenario, and rounds are awaited in turn; above, every one of them is gone.
  });

  it('a server command that fails to start: its rounds say why, the entry is unreachable, exit 3', async () => {
    const r = await runBin([
      'compare',
      '--server',
      'a=rtbench-no-such-command {port}',
      '--server',
      `b=${REF}`,
      'echo',
      '-d',
      '1s',
      '--rounds',
      '1',
      '--no-save',
    ]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^rtbench: round 1\/\d a: .*\[server command 'rtbench-no-such-command \{port\}' exited \(code 127\)/m);
    expect(r.stderr).toContain("rtbench: a (server command 'rtbench-no-such-command {port}') could not be reached in any round");
  });
});
