/**
 * `rtbench find` against servers of known capacity (issue #15), run through the CLI end to end:
 * - rate: the reference server's serial echo answers one message at a time per connection,
 *   each `delay` after the previous one was due, so a connection's capacity is exactly
 *   1000/delay messages per second; the search over `rate` must land within 10 % of it. The
 *   SLO is p99 < 20·delay: below capacity the latency is the delay, above it a queue grows
 *   without bound (at 1.05× capacity, 50 ms a second), so the limit separates the two sides
 *   sharply yet stays far above a loaded machine's scheduling noise.
 * - connections: the independent server (test/fixtures/truth-server.mjs) closes every
 *   connection past N open at once; the search over `connections` with `errors==0` must land
 *   within 5 % of N.
 * The test suite runs them with short windows (scale 1); `npm run bench -- --only find` longer.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { track } from './children.js';
import { ROOT } from './server.js';
import { startIndependentServer } from './truth.js';

/** Serial echo delay (ms): capacity 1000/5 = 200 messages/s per connection. */
export const SERIAL_DELAY_MS = 5;
/** Connections the capacity server holds at once. */
export const MAX_CONNECTIONS = 300;

/** Runs `rtbench find` with `args`; resolves to `{ code, stderr, result }` (the find result document). */
export function runFind(args, { timeoutMs = 300_000 } = {}) {
  const dir = mkdtempSync(join(os.tmpdir(), 'rtbench-find-'));
  const out = join(dir, 'find.json');
  const child = track(
    spawn(process.execPath, [join(ROOT, 'bin/rtbench.js'), 'find', ...args, '--out', out, '--format', 'md'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    }),
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) => {
    child.once('exit', (code) => {
      clearTimeout(timer);
      let result;
      try {
        result = JSON.parse(readFileSync(out, 'utf8'));
      } catch {
        result = undefined;
      }
      const html = (() => {
        try {
          return readFileSync(out.replace(/\.json$/, '.html'), 'utf8');
        } catch {
          return undefined;
        }
      })();
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, stdout, stderr, result, html });
    });
  });
}

/**
 * Window flags: measured seconds per step grow with `scale`. A rate window must be long enough
 * for a backlog to show: 5 % over a serial echo's capacity adds 10 messages (50 ms) a second.
 */
function windowArgs(scale, { cooldown = '300ms', measuredS = 2 } = {}) {
  return ['-d', `${measuredS * scale + 0.5}s`, '--warmup', '0.5s', '--cooldown', cooldown];
}

/** The rate truth: `find --vary rate` against a serial echo of known capacity. */
export async function findRateCapacity({ scale = 1, confirm = 1 } = {}) {
  const capacity = 1000 / SERIAL_DELAY_MS;
  const run = await runFind([
    'echo',
    '--vary',
    'rate',
    '-c',
    '2',
    '--echo-delay',
    `${SERIAL_DELAY_MS}ms`,
    '--echo-serial',
    '--from',
    String(capacity / 4),
    '--to',
    String(capacity * 4),
    '--slo',
    `latency.p99<${SERIAL_DELAY_MS * 20}ms`,
    '--confirm',
    String(confirm),
    ...windowArgs(scale),
  ]);
  return { ...run, expected: capacity, tolerance: 0.1 };
}

/** The connections truth: `find --vary connections` against a server that holds at most N. */
export async function findConnectionCapacity({ scale = 1, confirm = 1 } = {}) {
  const server = await startIndependentServer(0, ['--max-connections', String(MAX_CONNECTIONS)]);
  try {
    const run = await runFind([
      'echo',
      '--target',
      server.wsUrl('/'),
      '--vary',
      'connections',
      '--rate',
      '1',
      '--from',
      String(Math.round(MAX_CONNECTIONS / 4)),
      '--to',
      String(MAX_CONNECTIONS * 4),
      '--slo',
      'errors==0',
      '--confirm',
      String(confirm),
      // The server counts a connection until its socket closes: a second lets the last window's
      // connections go before the next window opens its own. Refusals show at once: 1 s measured.
      ...windowArgs(scale, { cooldown: '1s', measuredS: 1 }),
    ]);
    return { ...run, expected: MAX_CONNECTIONS, tolerance: 0.05 };
  } finally {
    await server.close();
  }
}

/**
 * Why a find run missed its known capacity (empty when it did not): the search must end
 * `found`, and both ends of its bracket must lie within the tolerance of the capacity.
 */
export function judgeFind(run) {
  const reasons = [];
  const a = run.result?.answer;
  if (!a) return [`no find result (exit ${run.code}): ${run.stderr.trim().split('\n').slice(-3).join(' / ')}`];
  if (a.status !== 'found') reasons.push(`status ${a.status}: ${a.summary}`);
  for (const key of ['sustains', 'breaksAt']) {
    const v = a[key];
    if (typeof v !== 'number') continue;
    const off = Math.abs(v - run.expected) / run.expected;
    if (off > run.tolerance) reasons.push(`${key} ${v} is ${(off * 100).toFixed(1)} % from ${run.expected}`);
  }
  return reasons;
}
