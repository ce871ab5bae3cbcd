/**
 * SSE from the command line, through the built bin in a child process: the `sse` scenario
 * against a --target, a positional http:// URL, and the --no-reconnect / --sse-client flags.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceServer } from '../../dist/server/reference-server.js';
import type { RunningServer } from '../../dist/server/running-server.js';

const run = promisify(execFile);
let server: RunningServer;
let outDir: string;
let runs = 0;

beforeAll(async () => {
  server = await startReferenceServer({ port: 0, sseCount: 10, sseIntervalMs: 20, ticksIntervalMs: 20, ticksRetryMs: 20 });
  outDir = mkdtempSync(join(tmpdir(), 'rtbench-sse-cli-'));
});
afterAll(async () => {
  await server.close();
  rmSync(outDir, { recursive: true, force: true });
});

/** Runs `rtbench run …` without blocking this process (the server under test lives in it). */
async function rtbench(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['bin/rtbench.js', 'run', ...args, '--out', join(outDir, `result-${++runs}.json`), '--quiet'],
      { timeout: 30_000 },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('rtbench run sse', () => {
  it('--target: every stream delivers the 10 expected events; JSON result', async () => {
    const { code, stdout } = await rtbench(['sse', '--target', `${server.url}/sse`, '-c', '5', '--json']);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { counters: Record<string, number>; scenario: { groups: Array<{ sse: unknown }> } };
    expect(result.counters.events_received).toBe(50);
    expect(result.counters.events_expected).toBe(50);
    expect(result.counters.msgs_lost).toBe(0);
    expect(result.scenario.groups[0]!.sse).toEqual({ reconnect: false, expectEvents: 10, client: 'http' });
  });

  it('a positional http:// URL runs the sse scenario; the table shows events expected / received', async () => {
    const { code, stdout } = await rtbench([`${server.url}/sse`, '-c', '3']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/events expected \/ received\s*│\s*30 \/ 30/);
    expect(stdout).toMatch(/first_event_time/);
  });

  it('--no-reconnect and --sse-client eventsource reach the plan', async () => {
    const url = `${server.url}/sse/ticks?count=3&interval=10`;
    const { code, stdout } = await rtbench([
      'sse-ticks',
      '--target',
      url,
      '--no-reconnect',
      '--sse-client',
      'eventsource',
      '-c',
      '2',
      '-d',
      '700ms',
      '--warmup',
      '0',
      '--json',
    ]);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { counters: Record<string, number>; scenario: { groups: Array<{ sse: unknown }> } };
    expect(result.scenario.groups[0]!.sse).toEqual({ reconnect: false, client: 'eventsource' });
    expect(result.counters.events_received).toBe(6);
    expect(result.counters.reconnects).toBe(0);
  });

  it('rejects an unknown --sse-client before any socket opens', async () => {
    const { code, stderr } = await rtbench(['sse', '--sse-client', 'curl']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/sse-client/);
  });
});
