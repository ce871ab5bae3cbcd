#!/usr/bin/env node
/**
 * `npm run arena`: builds the arena's servers that are missing, checks each one's conformance,
 * then runs the measurement matrix (arena/lib/matrix.mjs) over those that passed and writes
 * arena/RESULTS.md with the per-workload JSON and HTML under arena/results/.
 *
 *   npm run arena                                   everything: build, check, all six workloads, 3 rounds
 *   npm run arena -- --only-workloads echo-10k,sse-1k --servers go,node --rounds 5
 *   npm run arena -- --quick                        smoke run: 1 round, seconds-long windows, into reports/arena-quick/
 *   npm run arena -- --build                        only build (one line per server: built, up to date, skipped and why, failed)
 *   npm run arena -- --check                        build, then only the conformance check
 *   npm run arena -- --list                         the workloads and servers
 *   npm run arena -- --render                       RESULTS.md again from arena/results/ (or --out DIR) as it is
 *
 * `--servers a,b` (or `--only a,b`) limits every step to some servers; `--timeout S` bounds each
 * build (default 1200 s); `--out DIR` puts the results elsewhere (RESULTS.md then in DIR).
 * A server that failed its build or conformance is reported and never measured.
 * Exit 1 when a build, a check or a workload failed; a missing toolchain is a skip, not a failure.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildAll, formatOutcome } from './lib/build.mjs';
import { checkTarget } from './lib/check.mjs';
import { DEFAULT_SERVERS, REPO_DIR, runWorkload, WORKLOADS } from './lib/matrix.mjs';
import { renderResults } from './lib/results.mjs';
import { ARENA_DIR, TARGETS } from './lib/servers.mjs';

const USAGE =
  'usage: npm run arena [-- --quick] [--servers hyperlane,go,...] [--only-workloads echo-1k,...] [--rounds N] [--out DIR]\n' +
  '       npm run arena -- --build | --check [--servers ...] [--timeout SECONDS]   |   npm run arena -- --list';
const { values } = parseArgs({
  options: {
    build: { type: 'boolean', default: false },
    check: { type: 'boolean', default: false },
    list: { type: 'boolean', default: false },
    render: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    servers: { type: 'string' },
    'only-workloads': { type: 'string' },
    rounds: { type: 'string' },
    out: { type: 'string' },
    timeout: { type: 'string', default: '1200' },
  },
});
const fail = (message) => {
  if (message) console.error(`arena: ${message}`);
  console.error(USAGE);
  process.exit(2);
};
const list = (s) =>
  s
    ?.split(',')
    .map((x) => x.trim())
    .filter(Boolean);

if (values.list) {
  for (const w of WORKLOADS) console.log(`${w.id.padEnd(16)} ${w.title}`);
  console.log(`servers: ${TARGETS.map((t) => t.name).join(', ')} (default: ${DEFAULT_SERVERS.join(', ')})`);
  process.exit(0);
}

if (values.render) {
  // RESULTS.md again from the results folder as it is (after a change to the rendering, or to merge workloads run apart).
  const out = values.out ? resolve(process.cwd(), values.out) : join(ARENA_DIR, 'results');
  const mdDir = out === join(ARENA_DIR, 'results') ? ARENA_DIR : out;
  writeFileSync(join(mdDir, 'RESULTS.md'), renderResults(out, mdDir));
  console.log(`arena: ${join(mdDir, 'RESULTS.md')} written from ${out}`);
  process.exit(0);
}

const timeoutMs = Number(values.timeout) * 1000;
if (!(timeoutMs > 0)) fail(`--timeout must be a number of seconds, got ${values.timeout}`);
if (values.only && values.servers) fail('give --servers or --only, not both');
const matrix = !values.build && !values.check;
const named = list(values.servers ?? values.only);
const unknown = named?.filter((n) => !TARGETS.some((t) => t.name === n));
if (unknown?.length) fail(`unknown server ${unknown.join(', ')} (known: ${TARGETS.map((t) => t.name).join(', ')})`);
const workloadIds = list(values['only-workloads']);
const unknownWorkloads = workloadIds?.filter((id) => !WORKLOADS.some((w) => w.id === id));
if (unknownWorkloads?.length) fail(`unknown workload ${unknownWorkloads.join(', ')} (known: ${WORKLOADS.map((w) => w.id).join(', ')})`);
if (!matrix && (values.quick || workloadIds || values.rounds || values.out))
  fail('--quick, --only-workloads, --rounds and --out run the matrix; leave out --build/--check');
const rounds = values.rounds === undefined ? (values.quick ? 1 : 3) : Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 50) fail(`--rounds must be a whole number from 1 to 50, got ${values.rounds}`);

const defaultNames = matrix ? DEFAULT_SERVERS : TARGETS.map((t) => t.name);
const targets = TARGETS.filter((t) => (named ?? defaultNames).includes(t.name));
const started = Date.now();

// 1. Build (what is missing: an unchanged server is found in the cache).
const outcomes = await buildAll({ timeoutMs, retryFailed: true, only: new Set(targets.map((t) => t.build)) }, (o) =>
  console.log(formatOutcome(o)),
);
let failed = outcomes.some((o) => o.status === 'failed');
if (values.build) process.exit(failed ? 1 : 0);

// 2. Conformance: only a server that passes is measured.
/** @type {{name: string, why: string}[]} */
const excluded = [];
/** Servers that failed a conformance attempt, measured or not. */
const conformance = [];
/** Conformance attempts before the matrix leaves a server out. */
const CHECK_ATTEMPTS = 3;
const passed = [];
for (const target of targets) {
  const build = outcomes.find((o) => o.name === target.build);
  if (build?.status === 'skipped' || build?.status === 'failed') {
    console.log(`arena check: ${target.name.padEnd(12)} not checked: build ${build.status}`);
    excluded.push({ name: target.name, why: `build ${build.status}: ${build.detail}` });
    continue;
  }
  // The matrix gives a server that fails a check more attempts (a fresh server each), and
  // RESULTS.md names every failed attempt: a flaky server is a finding, not a pass.
  const attempts = matrix ? CHECK_ATTEMPTS : 1;
  const failures = [];
  let ok = false;
  for (let attempt = 1; attempt <= attempts && !ok; attempt++) {
    const verdicts = await checkTarget(target);
    ok = verdicts.every((v) => v.ok);
    const of = attempts > 1 ? ` (attempt ${attempt} of at most ${attempts})` : '';
    console.log(`arena check: ${target.name.padEnd(12)} ${ok ? 'PASS' : 'FAIL'}${of}`);
    for (const v of verdicts) console.log(`    ${v.ok ? 'ok  ' : 'FAIL'} ${v.name.padEnd(9)} ${v.detail}`);
    if (!ok)
      failures.push(
        verdicts
          .filter((v) => !v.ok)
          .map((v) => `${v.name} (${v.detail})`)
          .join('; '),
      );
  }
  if (failures.length > 0) conformance.push({ name: target.name, passed: ok, failures, attempts: failures.length + (ok ? 1 : 0) });
  if (ok) passed.push(target);
  else {
    failed = true;
    excluded.push({ name: target.name, why: `failed conformance ${failures.length} time(s): ${failures.join(' | ')}` });
  }
}
if (values.check) process.exit(failed ? 1 : 0);

// 3. The matrix, over the servers that passed.
const defaultOut = join(ARENA_DIR, 'results');
const out = values.out
  ? isAbsolute(values.out)
    ? values.out
    : resolve(process.cwd(), values.out)
  : values.quick
    ? join(REPO_DIR, 'reports', 'arena-quick')
    : defaultOut;
const mdDir = out === defaultOut ? ARENA_DIR : out;
mkdirSync(out, { recursive: true });
const servers = passed.map((t) => ({ name: t.name, command: t.command('{port}') }));
const workloads = WORKLOADS.filter((w) => !workloadIds || workloadIds.includes(w.id));
console.log(
  `arena matrix: ${workloads.length} workload(s) × ${servers.length} server(s) (${servers.map((s) => s.name).join(', ') || 'none'}), ` +
    `${rounds} round(s) each${values.quick ? ', quick' : ''}, into ${out}`,
);
if (servers.length < 2) {
  console.log('arena matrix: fewer than two servers passed their checks; nothing to compare');
  process.exit(1);
}
for (const [i, w] of workloads.entries()) {
  console.log(`arena matrix: [${i + 1}/${workloads.length}] ${w.id}: ${w.title}`);
  const meta = await runWorkload(w, servers, {
    rounds,
    quick: values.quick,
    out,
    excluded,
    conformance,
    onLine: (line) => {
      if (line.startsWith('rtbench: round') || line.startsWith('rtbench: error') || /could not|failed/.test(line))
        console.log(`    ${line}`);
    },
  });
  console.log(`arena matrix: ${w.id} ${meta.ok ? 'done' : `FAILED (${meta.why})`} in ${meta.seconds} s`);
  failed ||= !meta.ok;
  // Rewritten after every workload, so an interrupted matrix still leaves what it measured.
  writeFileSync(join(mdDir, 'RESULTS.md'), renderResults(out, mdDir, { excluded, conformance }));
}
const seconds = Math.round((Date.now() - started) / 1000);
writeFileSync(join(mdDir, 'RESULTS.md'), renderResults(out, mdDir, { excluded, conformance, matrixSeconds: seconds }));
console.log(`arena: ${join(mdDir, 'RESULTS.md')} written; build, checks and matrix took ${Math.floor(seconds / 60)} min ${seconds % 60} s`);
process.exit(failed ? 1 : 0);
