/**
 * Renders the matrix's results (arena/lib/matrix.mjs) as one Markdown file: the machine and
 * every server's framework and toolchain versions, a headline table across workloads, then one
 * table per workload (median ± spread over rounds, server CPU mean and RSS peak beside every row)
 * with its command, date, load average and a link to its HTML report.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join, relative } from 'node:path';
import { loadAverage, REPO_DIR, WORKLOADS } from './matrix.mjs';
import { ARENA_DIR } from './servers.mjs';

const readJson = (path) => {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
};

/** Median and median absolute deviation, as compare computes its spread. */
export function medianSpread(values) {
  if (values.length === 0) return undefined;
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
  };
  const med = median(values);
  return { median: med, spread: values.length < 2 ? 0 : median(values.map((v) => Math.abs(v - med))), values };
}

/** A counter of the rounds files, per round; `events_missing` is expected minus received. */
function counterValues(roundsFile, name) {
  const rounds = readJson(roundsFile)?.rounds ?? [];
  return rounds.map((r) => {
    const c = r.counters ?? {};
    if (name === 'events_missing') return Math.max(0, (c.events_expected ?? 0) - (c.events_received ?? 0));
    return c[name] ?? 0;
  });
}

/**
 * What one more connection costs a server: (its RSS peak holding the idle connections − its RSS
 * peak in echo-1k with 100 connections) ÷ the difference in connections, from the medians. It
 * takes the runtime's baseline (a JVM's heap, Node's) out of the per-connection figure.
 */
function marginalRss(out, idleDir, name) {
  const peakOf = (dir) => {
    const c = readJson(join(dir, 'comparison.json'));
    const i = c?.entries.findIndex((e) => e.label === name) ?? -1;
    return i >= 0 ? c.rows.find((r) => r.key === 'server.rss.peak')?.cells[i]?.median : undefined;
  };
  const connectionsOf = (dir) => medianSpread(counterValues(join(dir, 'rounds', `${name}.json`), 'connections_opened'))?.median;
  const echoDir = join(out, 'echo-1k');
  const [idlePeak, echoPeak, idleConns, echoConns] = [peakOf(idleDir), peakOf(echoDir), connectionsOf(idleDir), connectionsOf(echoDir)];
  if ([idlePeak, echoPeak, idleConns, echoConns].some((v) => v === undefined) || idleConns <= echoConns) return undefined;
  return { median: (idlePeak - echoPeak) / (idleConns - echoConns), spread: 0, values: [] };
}

function formatValue(v, unit) {
  if (v === undefined || v === null || Number.isNaN(v)) return '–';
  switch (unit) {
    case 'us':
      return v < 1000 ? `${Math.round(v)} µs` : v < 1_000_000 ? `${(v / 1000).toPrecision(3)} ms` : `${(v / 1_000_000).toPrecision(3)} s`;
    case 'bytes':
      return v < 1024
        ? `${Math.round(v)} B`
        : v < 1024 * 1024
          ? `${(v / 1024).toPrecision(3)} KiB`
          : `${(v / 1024 / 1024).toPrecision(3)} MiB`;
    case 'rate':
      return v < 1000 ? `${Math.round(v)}` : `${(v / 1000).toPrecision(3)}k`;
    case 'percent':
      return `${v.toPrecision(3)}%`;
    default:
      return String(Math.round(v));
  }
}

/** `median ± spread` in the column's unit; a spread of 0 is left out. */
function cell(ms, unit) {
  if (!ms) return '–';
  const m = formatValue(ms.median, unit);
  return ms.spread > 0 ? `${m} ± ${formatValue(ms.spread, unit)}` : m;
}

/**
 * The figures of one workload: per server, each headline key as median/spread, plus notes.
 * @returns {{meta: any, comparison: any, rows: {name: string, cells: Record<string, any>, note: string}[]} | undefined}
 */
export function workloadFigures(out, workload) {
  const dir = join(out, workload.id);
  const meta = readJson(join(dir, 'meta.json'));
  if (!meta) return undefined;
  const comparison = readJson(join(dir, 'comparison.json'));
  const rows = [];
  for (const name of meta.servers) {
    const index = comparison?.entries.findIndex((e) => e.label === name) ?? -1;
    const cells = {};
    for (const h of workload.headline) {
      if (h.key === 'derived.rss_marginal_per_connection') {
        cells[h.key] = marginalRss(out, dir, name);
      } else if (h.key.startsWith('counters.')) {
        const file = join(dir, 'rounds', `${name}.json`);
        cells[h.key] = existsSync(file) ? medianSpread(counterValues(file, h.key.slice('counters.'.length))) : undefined;
      } else {
        const row = comparison?.rows.find((r) => r.key === h.key);
        cells[h.key] = index >= 0 ? (row?.cells[index] ?? undefined) : undefined;
      }
    }
    const entry = index >= 0 ? comparison.entries[index] : undefined;
    const unranked = comparison?.unranked?.find((u) => u.label === name);
    const notes = [];
    if (!entry) notes.push('no rounds (see compare.log)');
    else {
      if (entry.rounds < meta.rounds) notes.push(`${entry.rounds} of ${meta.rounds} rounds`);
      if (entry.partialRounds) notes.push(`${entry.partialRounds} partial round(s)`);
      if (entry.errorRatePercent?.median > 0) notes.push(`errors ${entry.errorRatePercent.median.toPrecision(2)}%`);
      if (entry.flagged) notes.push('flagged: error rate over 1%, not ranked');
    }
    if (unranked && !entry?.flagged) notes.push(unranked.reason);
    rows.push({ name, cells, note: notes.join('; ') });
  }
  return { meta, comparison, rows };
}

function versions() {
  const run = (argv, pick = (s) => s.split('\n')[0]) => {
    const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 30_000 });
    // biome-ignore lint/suspicious/noControlCharactersInRegex: Maven colours its banner
    return r.error || r.status !== 0 ? 'not installed' : pick(`${r.stdout}${r.stderr}`.replace(/\x1b\[[0-9;]*m/g, '').trim());
  };
  const lockVersion = (name) => {
    const lock = readFileSafe(join(ARENA_DIR, 'hyperlane', 'Cargo.lock'));
    const m = new RegExp(`name = "${name}"\\nversion = "([^"]+)"`).exec(lock);
    return m ? m[1] : '?';
  };
  const goMod = readFileSafe(join(ARENA_DIR, 'go', 'go.mod'));
  const pom = readFileSafe(join(ARENA_DIR, 'spring', 'pom.xml'));
  const req = readFileSafe(join(ARENA_DIR, 'python', 'requirements.txt'));
  const wsVersion = readJson(join(REPO_DIR, 'node_modules', 'ws', 'package.json'))?.version ?? '?';
  return [
    ['hyperlane', `hyperlane ${lockVersion('hyperlane')}, tokio ${lockVersion('tokio')} (Cargo.lock)`, run(['rustc', '--version'])],
    ['go', `gorilla/websocket ${/gorilla\/websocket (v[\d.]+)/.exec(goMod)?.[1] ?? '?'} on net/http (go.mod)`, run(['go', 'version'])],
    ['node', `ws ${wsVersion} on node:http (package-lock.json)`, `node ${process.version}`],
    [
      'spring',
      `Spring Boot ${/<artifactId>spring-boot-starter-parent<\/artifactId>\s*<version>([^<]+)</.exec(pom)?.[1] ?? '?'} WebFlux on Reactor Netty (pom.xml)`,
      `${run(['java', '-version'])}; ${run(['mvn', '-v'])}`,
    ],
    ['python', `aiohttp ${/aiohttp==([\d.]+)/.exec(req)?.[1] ?? '?'} (requirements.txt)`, run(['python3', '--version'])],
    ['rtbench', `rtbench ${readJson(join(REPO_DIR, 'package.json'))?.version ?? '?'} (the client, this commit)`, `node ${process.version}`],
  ];
}

function readFileSafe(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function machine() {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    model: cpus[0]?.model.trim() ?? 'unknown',
    memGiB: Math.round(os.totalmem() / 1024 ** 3),
    kernel: `${os.type()} ${os.release()}`,
  };
}

/** The compact table for the README: one row per server, one headline figure per workload. */
export const HEADLINE_COLUMNS = [
  { id: 'echo-1k', key: 'latency.p99', label: 'echo 1k/s p99', unit: 'us' },
  { id: 'echo-10k', key: 'latency.p99', label: 'echo 10k/s p99', unit: 'us' },
  { id: 'echo-50k', key: 'latency.p99', label: 'echo 50k/s p99', unit: 'us' },
  { id: 'echo-throughput', key: 'msgs_per_sec', label: 'closed-loop replies/s', unit: 'rate' },
  { id: 'echo-throughput', key: 'server.msgs_per_cpu_second', label: 'replies per server CPU-s', unit: 'rate' },
  { id: 'idle-10k', key: 'server.rss.peak', label: '10k idle: RSS', unit: 'bytes' },
  { id: 'sse-1k', key: 'first_event_time.p99', label: 'SSE first event p99', unit: 'us' },
  { id: 'broadcast-1k', key: 'fanout_latency.p99', label: 'broadcast p99', unit: 'us' },
  { id: 'whiteboard', key: 'fanout_latency.p99', label: 'whiteboard p99', unit: 'us' },
];

export function headlineTable(out) {
  const figures = new Map(WORKLOADS.map((w) => [w.id, workloadFigures(out, w)]));
  const columns = HEADLINE_COLUMNS.filter((c) => figures.get(c.id));
  if (columns.length === 0) return '';
  const servers = [...new Set(columns.flatMap((c) => figures.get(c.id).rows.map((r) => r.name)))];
  const lines = [`| server | ${columns.map((c) => c.label).join(' | ')} |`, `|---|${columns.map(() => '---:|').join('')}`];
  for (const s of servers) {
    const cells = columns.map((c) => {
      const row = figures.get(c.id).rows.find((r) => r.name === s);
      const ms = row?.cells[c.key];
      // Flagged by compare (errors over 1%) or messages lost: the figure is not comparable as it stands.
      const lost = row?.cells['counters.msgs_lost']?.median > 0;
      const mark = row?.note.includes('flagged') || lost ? ' (!)' : '';
      return ms ? `${formatValue(ms.median, c.unit)}${mark}` : '–';
    });
    lines.push(`| ${s} | ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

/**
 * The whole RESULTS.md for the results in `out`, with links relative to `mdDir`.
 * @param {string} out
 * @param {string} mdDir
 * @param {{matrixSeconds?: number, excluded?: {name: string, why: string}[], conformance?: {name: string, passed: boolean, failures: string[], attempts: number}[]}} [run]
 */
export function renderResults(out, mdDir, run = {}) {
  const m = machine();
  const present = WORKLOADS.map((w) => ({ w, f: workloadFigures(out, w) })).filter((x) => x.f);
  const metas = present.map((x) => x.f.meta);
  const loads = metas.flatMap((meta) => [meta.loadAverageBefore, meta.loadAverageAfter].filter(Boolean).map((l) => l[0]));
  const commits = [...new Set(metas.map((meta) => meta.commit))];
  const dates = metas.map((meta) => meta.startedAt).sort();
  const excluded = run.excluded ?? metas[0]?.excluded ?? [];
  // Conformance failures of servers that were then measured, from every workload's run (workloads may come from different runs).
  const flaky = [];
  for (const meta of metas) {
    for (const c of (meta.conformance ?? []).filter((x) => x.passed)) {
      const same = flaky.find((f) => f.name === c.name && f.failures.join() === c.failures.join());
      if (same) same.workloads.push(meta.id);
      else flaky.push({ ...c, workloads: [meta.id] });
    }
  }
  const quick = metas.some((meta) => meta.quick);
  const link = (path) => relative(mdDir, path).split('\\').join('/');

  const md = [];
  md.push('# Arena results');
  md.push('');
  md.push(
    `Written by \`npm run arena\` (arena/run.mjs); do not edit by hand. ${quick ? '**A --quick smoke run: these figures are not measurements.** ' : ''}` +
      "Each workload is one `rtbench compare` with every server started afresh for each round (`--server name='CMD --port {port}'`), " +
      `rounds interleaved (A B C … A B C …), the server pinned to CPU ${metas[0]?.pinning?.server ?? 0} and rtbench with its generator to CPU ${metas[0]?.pinning?.client ?? 1} (taskset), over loopback. ` +
      "Every cell is the **median over rounds ± the median absolute deviation** of the rounds (compare's spread); server CPU is the mean over the measured window in % of one core, RSS the peak of the server's process tree.",
  );
  md.push('');
  md.push('| | |');
  md.push('|---|---|');
  const last = metas
    .map((x) => x.finishedAt)
    .sort()
    .at(-1);
  const workSeconds = metas.reduce((a, x) => a + (x.seconds ?? 0), 0);
  md.push(
    `| date | ${dates[0] ?? '–'} … ${last ?? '–'}; the workloads took ${Math.round(workSeconds / 60)} min` +
      `${run.matrixSeconds ? `, with builds and checks ${Math.round(run.matrixSeconds / 60)} min` : ''} |`,
  );
  md.push(`| commit | ${commits.join(', ')} |`);
  md.push(`| machine | ${m.cores} cores, ${m.model}, ${m.memGiB} GiB, ${m.kernel} |`);
  md.push(
    `| load average (1 min) | ${loads.length ? `${Math.min(...loads).toFixed(2)} … ${Math.max(...loads).toFixed(2)} over the workloads` : '–'}; ${loadAverage().join(' / ')} (1/5/15 min) when this file was written |`,
  );
  md.push('');
  md.push('**Noise.** The machine has 2 cores and is shared: other builds and tests ran beside the matrix (see the load average, which ');
  md.push('counts runnable tasks on both cores). The pinning keeps the server and the generator apart from each other, not from them. ');
  md.push('Treat a difference inside the spread, or under about 2×, as noise. Where rtbench says *the generator fell behind*, the ');
  md.push('client (one core) was a bottleneck too, and latency includes its delay; compare then leaves the entry out of its ranking.');
  md.push('');
  md.push('## Versions');
  md.push('');
  md.push('| server | framework | toolchain |');
  md.push('|---|---|---|');
  for (const [name, framework, toolchain] of versions()) md.push(`| ${name} | ${framework} | ${toolchain} |`);
  md.push('');
  if (excluded.length) {
    md.push('## Not measured');
    md.push('');
    for (const x of excluded) md.push(`- **${x.name}**: ${x.why}`);
    md.push('');
  }
  if (flaky.length) {
    md.push('## Conformance failures of measured servers');
    md.push('');
    md.push('Each server gets up to 3 conformance attempts (a fresh server each) before the matrix; these passed only after failing:');
    md.push('');
    for (const c of flaky) {
      md.push(
        `- **${c.name}** passed on attempt ${c.attempts}, before ${c.workloads.join(', ')}; failed before: ${c.failures.join(' | ')}`,
      );
    }
    md.push('');
  }
  md.push('## Headline');
  md.push('');
  md.push(
    'Medians only; the tables below have the spread, server CPU and RSS, and the notes. (!) marks an entry with errors over 1% or lost messages.',
  );
  md.push('');
  md.push(headlineTable(out));
  md.push('');
  for (const { w, f } of present) {
    const dir = join(out, w.id);
    md.push(`## ${w.title}`);
    md.push('');
    md.push(
      `${w.what}. ${f.meta.rounds} rounds; started ${f.meta.startedAt} at commit ${String(f.meta.commit).slice(0, 7)}${String(f.meta.commit).includes('uncommitted') ? ' (tree not clean)' : ''}, ${f.meta.seconds ?? '?'} s; load average ${f.meta.loadAverageBefore?.[0] ?? '?'} before, ${f.meta.loadAverageAfter?.[0] ?? '?'} after.`,
    );
    md.push('');
    if (!f.meta.ok) md.push(`**compare did not finish: ${f.meta.why}** (see ${link(join(dir, 'compare.log'))}).\n`);
    md.push(`| server | ${w.headline.map((h) => h.label).join(' | ')} | notes |`);
    md.push(`|---|${w.headline.map(() => '---:|').join('')}---|`);
    for (const r of f.rows) md.push(`| ${r.name} | ${w.headline.map((h) => cell(r.cells[h.key], h.unit)).join(' | ')} | ${r.note} |`);
    md.push('');
    for (const line of f.comparison?.summary ?? []) md.push(`- compare: ${line}`);
    const files = [
      f.meta.html ? `[HTML report with plots](${link(join(dir, 'report.html'))})` : undefined,
      `[comparison JSON](${link(join(dir, 'comparison.json'))})`,
      `[rounds files](${link(join(dir, 'rounds'))}/)`,
    ].filter(Boolean);
    md.push(`- ${files.join(' · ')}`);
    md.push('');
    md.push('<details><summary>command</summary>');
    md.push('');
    md.push('```sh');
    md.push(withoutCheckout(f.meta.command));
    md.push('```');
    md.push('');
    md.push('</details>');
    md.push('');
  }
  const missing = WORKLOADS.filter((w) => !present.some((x) => x.w === w));
  if (missing.length) {
    md.push(`Not run in this results folder: ${missing.map((w) => w.id).join(', ')}.`);
    md.push('');
  }
  return `${md.join('\n')}\n`;
}

/** Workload folders present under `out` (for listing). */
export function presentWorkloads(out) {
  try {
    return readdirSync(out).filter((d) => existsSync(join(out, d, 'meta.json')));
  } catch {
    return [];
  }
}

/**
 * A recorded command with the checkout it ran in left out (`/work/x/arena/go/…` → `arena/go/…`),
 * whichever clone or worktree that was; the build cache's paths stay as they are.
 */
function withoutCheckout(command) {
  return command.replaceAll(REPO_DIR, '').replace(/(^|[\s'=])\/[^\s']*?\/(?=arena\/)/g, '$1');
}
