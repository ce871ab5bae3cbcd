/**
 * The benchmark suite's smoke mode (bench/run.js --smoke), run as CI runs it so the scripts
 * cannot rot: the fast benchmarks (overhead, histogram), and peers, which in smoke installs
 * nothing and runs only the peer tools already present (none on a fresh machine: then it says
 * why each was skipped). As a child process, checking the exit code and the JSON documents it
 * writes. Figures are not judged (a smoke run's numbers mean nothing); only that every ratio
 * is a number.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const RUN_JS = fileURLToPath(new URL('../../bench/run.js', import.meta.url));
const outDir = mkdtempSync(join(tmpdir(), 'rtbench-bench-smoke-'));
let child: ChildProcess | undefined;

afterAll(() => {
  // SIGTERM lets run.js stop the servers and tools it started.
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  rmSync(outDir, { recursive: true, force: true });
});

interface Figure {
  id: string;
  ratio: unknown;
  candidate: unknown;
}

interface Doc {
  schemaVersion: number;
  benchmark: string;
  mode: string;
  figures: Figure[];
  error: unknown;
  skipped: string | null;
  notes: string[];
}

function readDoc(prefix: string, dir = outDir): Doc {
  const file = readdirSync(dir).find((f) => f.startsWith(`${prefix}-`) && f.endsWith('.json'));
  expect(file, `${prefix}-<time>.json in ${dir}`).toBeDefined();
  return JSON.parse(readFileSync(join(dir, file!), 'utf8'));
}

describe('bench/run.js --smoke', () => {
  it('runs overhead and histogram, exits 0 and writes JSON whose ratios are numbers', async () => {
    child = spawn(process.execPath, [RUN_JS, '--smoke', '--only', 'overhead,histogram', '--out-dir', outDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const code = await new Promise<number | null>((resolve) => child!.once('close', (c) => resolve(c)));
    expect(code, stderr).toBe(0);
    expect(stdout).toContain('Generator overhead');
    expect(stdout).toContain('Histogram cost');

    const overhead = readDoc('overhead');
    expect(overhead).toMatchObject({ schemaVersion: 1, benchmark: 'overhead', mode: 'smoke', error: null });
    const byId = new Map(overhead.figures.map((f) => [f.id, f]));
    for (const id of ['throughput_msgs_per_sec', 'latency_p50_us', 'cpu_us_per_msg']) {
      expect(typeof byId.get(id)?.ratio, id).toBe('number');
      expect(Number.isFinite(byId.get(id)!.ratio), id).toBe(true);
    }

    const histogram = readDoc('histogram');
    expect(histogram).toMatchObject({ schemaVersion: 1, benchmark: 'histogram', mode: 'smoke', error: null });
    const h = new Map(histogram.figures.map((f) => [f.id, f]));
    // With overhead in the same invocation, the per-message ratio has its baseline too.
    for (const id of ['record_ns_vs_msg_cpu', 'core_share_percent']) {
      expect(typeof h.get(id)?.ratio, id).toBe('number');
    }
  }, 60_000);

  it('peers: exits 0 quickly, names why k6 (and any peer not present) is skipped, and any figure it ran is a number', async () => {
    const peersDir = join(outDir, 'peers');
    child = spawn(process.execPath, [RUN_JS, '--smoke', '--only', 'peers', '--out-dir', peersDir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.stdout!.resume();
    const code = await new Promise<number | null>((resolve) => child!.once('close', (c) => resolve(c)));
    expect(code, stderr).toBe(0);
    const peers = readDoc('peers', peersDir);
    expect(peers).toMatchObject({ schemaVersion: 1, benchmark: 'peers', mode: 'smoke', error: null });
    expect(`${peers.skipped ?? ''} ${peers.notes.join(' ')}`).toContain('k6 not measured');
    if (peers.skipped === null) {
      expect(peers.figures.length).toBeGreaterThan(0);
      for (const f of peers.figures) expect(Number.isFinite(f.ratio), f.id).toBe(true);
    }
  }, 180_000);
});
