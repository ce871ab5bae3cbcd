/**
 * --server-cpus / --client-cpus: the launched server's processes and the generator run on the
 * CPUs asked for, the report says so, and rtbench's own process gets its CPUs back afterwards.
 * Needs taskset and two CPUs; skipped (with the reason) where either is missing.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { canPin } from '../../dist/launch/cpu-pinning.js';
import { launchServer } from '../../dist/launch/server-command.js';
import { runScenario } from '../../dist/runner/run-scenario.js';
import { treeOf } from '../../dist/proc.js';
import { echoScenario, planFrom } from '../helpers/run.js';

const cpus = os.availableParallelism?.() ?? os.cpus().length;
const able = canPin() && cpus >= 2;

function allowed(pid: number): string {
  return /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]!;
}

describe.skipIf(!able)('CPU pinning (taskset, 2+ CPUs)', () => {
  it('a launched server runs on the CPUs asked for, every process of it', async () => {
    const server = await launchServer({ command: 'node bin/rtbench.js serve --port {port}', readyTimeoutMs: 10_000, cpus: '0' });
    try {
      const tree = treeOf(server.pid);
      expect(tree.length).toBeGreaterThanOrEqual(1);
      for (const p of tree) expect(allowed(p.pid)).toBe('0');
    } finally {
      await server.stop();
    }
  });

  it('the generator runs on the client CPUs during the run, the report says what was pinned, and the CPUs come back', async () => {
    const before = allowed(process.pid);
    const plan = planFrom(echoScenario({ connections: 2, load: { rate: 50 } }), {
      serverCommand: 'node bin/rtbench.js serve --port {port}',
      durationMs: 500,
      serverCpus: '0',
      clientCpus: '1',
    });
    // Sampled through the run: the server starts first (its start takes a varying time), then
    // rtbench pins itself for the load, then gets its CPUs back.
    const seen = new Set<string>();
    const timer = setInterval(() => seen.add(allowed(process.pid)), 50);
    const { result } = await runScenario(plan);
    clearInterval(timer);
    expect([...seen]).toContain('1');
    expect(result.notes).toContain('pinned with taskset: the server to CPUs 0, rtbench and its generator processes to CPUs 1');
    expect(result.counters.msgs_received).toBe(result.counters.msgs_sent);
    expect(allowed(process.pid)).toBe(before);
  });
});

describe.skipIf(able)('CPU pinning', () => {
  it('is skipped here: taskset is missing or there is one CPU', () => {
    expect(able).toBe(false);
  });
});
