/**
 * A run ends when its work ends: once the result is written, the process exits promptly. A
 * deadline timer left pending after the drain it bounded once kept every run alive ~2.9 s past
 * its report (a 1 s run took 4.9 s; CI and `find` windows paid it every time).
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/bin.js';
import { tempDir } from '../helpers/results.js';

const dir = tempDir('rtbench-exit-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs rtbench; resolves with the ms between stderr's "result written" line and the exit, and the code. */
function exitLag(args: string[]): Promise<{ lagMs: number; code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let stderr = '';
  let writtenAt = Number.NaN;
  child.stderr.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
    if (Number.isNaN(writtenAt) && stderr.includes('result written to')) writtenAt = performance.now();
  });
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(killer);
      resolve({ lagMs: performance.now() - writtenAt, code, stderr });
    }),
  );
}

describe('a run exits once its result is written', () => {
  // Closing the embedded server and the workers takes a few hundred ms here; the bug was 2.9 s.
  const LIMIT_MS = 1500;

  for (const workers of [1, 2]) {
    it(`with ${workers} worker${workers > 1 ? 's' : ''} and the embedded server, within ${LIMIT_MS} ms`, async () => {
      const out = join(dir, `w${workers}.json`);
      const run = await exitLag([
        'run',
        'echo',
        '-c',
        '2',
        '-w',
        String(workers),
        '--rate',
        '20',
        '-d',
        '0.5s',
        '--warmup',
        '0',
        '-q',
        '--out',
        out,
      ]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.lagMs).toBeLessThan(LIMIT_MS);
    });
  }
});
