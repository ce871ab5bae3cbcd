#!/usr/bin/env node
// The benchmark suite (issue #7): `npm run bench` (builds, then runs this).
//   node bench/run.js [--smoke] [--only overhead,connections,sse,peers,histogram,truth,find] [--reps 3]
//                     [--connections 19000] [--sse-streams 2000] [--out-dir reports/bench]
// Every figure is a ratio against a baseline measured in the same invocation: the median of
// the per-repetition ratios, repetitions interleaved (candidate, baseline, candidate, …), each
// against a freshly started reference server. Tables go to stdout, progress to stderr, one
// JSON document per benchmark to <out-dir>/<benchmark>-<time>.json.
// --smoke runs everything in seconds (tiny counts, 1 repetition) so CI keeps the scripts
// working; its figures mean nothing.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { killAll } from './lib/children.js';
import { ROOT } from './lib/server.js';
import { renderTable, renderTargets } from './lib/report.js';
import { meetsTarget } from './lib/stats.js';
import * as overhead from './overhead.js';
import * as connections from './connections.js';
import * as sse from './sse.js';
import * as peers from './peers.js';
import * as histogram from './histogram-cost.js';
import * as truth from './truth.js';
import * as find from './find.js';

const BENCHMARKS = { overhead, connections, sse, peers, histogram, truth, find };

const USAGE =
  `usage: node bench/run.js [--smoke] [--only ${Object.keys(BENCHMARKS).join(',')}] ` +
  `[--reps N] [--connections N] [--sse-streams N] [--out-dir DIR]`;

function parseFlags(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      smoke: { type: 'boolean', default: false },
      only: { type: 'string' },
      reps: { type: 'string' },
      connections: { type: 'string' },
      'sse-streams': { type: 'string' },
      'out-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return undefined;
  }
  const only = values.only
    ? values.only
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : Object.keys(BENCHMARKS);
  const unknown = only.filter((n) => !(n in BENCHMARKS));
  if (unknown.length > 0)
    throw new Error(`--only: unknown benchmark ${unknown.join(', ')} (choose from ${Object.keys(BENCHMARKS).join(', ')})`);
  return {
    smoke: values.smoke,
    only,
    reps: countFlag('reps', values.reps) ?? (values.smoke ? 1 : 3),
    connections: countFlag('connections', values.connections),
    sseStreams: countFlag('sse-streams', values['sse-streams']),
    outDir: resolve(values['out-dir'] ?? join(ROOT, 'reports/bench')),
  };
}

function countFlag(name, value) {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number >= 1 (got ${value})`);
  return n;
}

/** The commit measured, and whether the tree had uncommitted changes (read-only git calls). */
function gitState() {
  try {
    const git = (...args) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return { commit: git('rev-parse', 'HEAD'), dirty: git('status', '--porcelain', '--untracked-files=no') !== '' };
  } catch {
    return { commit: null, dirty: null };
  }
}

function environment() {
  const cpus = os.cpus();
  return {
    ...gitState(),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: os.availableParallelism?.() ?? cpus.length,
    memoryBytes: os.totalmem(),
    loadavg: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

async function main(argv) {
  const flags = parseFlags(argv);
  if (!flags) return 0;
  if (!existsSync(join(ROOT, 'dist/cli/main.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first (or `npm run bench`, which builds)');
  }
  const command = ['node bench/run.js', ...argv].join(' ');
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  mkdirSync(flags.outDir, { recursive: true });
  const tmpDir = mkdtempSync(join(os.tmpdir(), 'rtbench-bench-'));
  const log = (msg) => process.stderr.write(`bench: ${msg}\n`);
  const load1 = os.loadavg()[0];
  if (!flags.smoke && load1 > 1)
    log(`warning: 1-minute load average is ${load1.toFixed(2)} on ${os.cpus().length} cores; figures will be noisy`);

  let failures = 0;
  const results = {};
  try {
    for (const name of flags.only) {
      const bench = BENCHMARKS[name];
      const startedAt = new Date().toISOString();
      const envBefore = environment();
      process.stdout.write(`\n${bench.title}\n`);
      let result;
      try {
        result = await bench.run({
          smoke: flags.smoke,
          reps: flags.reps,
          connections: flags.connections,
          sseStreams: flags.sseStreams,
          tmpDir,
          log,
          results,
        });
      } catch (err) {
        failures++;
        log(`${name} failed: ${err instanceof Error ? err.message : String(err)}`);
        result = { title: bench.title, error: err instanceof Error ? err.message : String(err), figures: [] };
      }
      for (const f of result.figures) f.meets = meetsTarget(f.ratio, f.target);
      results[name] = result;
      if (result.skipped) process.stdout.write(`skipped: ${result.skipped}\n`);
      else if (result.error) process.stdout.write(`failed: ${result.error}\n`);
      else process.stdout.write(`${renderTable(result)}\n`);
      for (const note of result.notes ?? []) process.stdout.write(`note: ${note}\n`);
      const doc = {
        schemaVersion: 1,
        benchmark: name,
        title: result.title,
        mode: flags.smoke ? 'smoke' : 'full',
        command,
        startedAt,
        finishedAt: new Date().toISOString(),
        repetitions: flags.reps,
        environment: { ...envBefore, loadavgAfter: environment().loadavg },
        candidate: result.candidate ?? 'rtbench',
        baseline: result.baseline ?? null,
        baselineDescription: result.baselineDescription ?? null,
        settings: result.settings ?? {},
        figures: result.figures,
        referenceFigures: result.referenceFigures ?? {},
        skipped: result.skipped ?? null,
        error: result.error ?? null,
        notes: result.notes ?? [],
        reps: result.reps ?? [],
      };
      const file = join(flags.outDir, `${name}-${stamp}.json`);
      writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
      log(`wrote ${relative(process.cwd(), file) || file}`);
    }
  } finally {
    rmSync(tmpDir, { recursive: true, force: true });
  }
  process.stdout.write(
    `\nTargets (issue #7; median ratio of ${flags.reps} repetition${flags.reps > 1 ? 's' : ''}` +
      `${flags.smoke ? ', smoke run: not meaningful' : ''})\n${renderTargets(results)}\n`,
  );
  return failures > 0 ? 1 : 0;
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    process.stderr.write(`bench: ${signal}: stopping servers and tools\n`);
    killAll();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n${USAGE}\n`);
    process.exitCode = 2;
  },
);
