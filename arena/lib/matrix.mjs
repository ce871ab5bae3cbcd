/**
 * The arena's measurement matrix (issue 17, part 3): each workload is one
 * `rtbench compare --server name='CMD --port {port}' …` over every server that passed its
 * conformance check, run through the built bin (bin/rtbench.js over dist/), with the server
 * pinned to one core and the generator to another, a fresh server each round, and interleaved
 * rounds. Each workload leaves, under `<out>/<id>/`: `comparison.json` (compare --format json),
 * `rounds/<server>.json` (compare's rounds files), `report.html` (the same comparison with plots)
 * and `meta.json` (the command, when, the load average, what was left out and why).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root. */
export const REPO_DIR = fileURLToPath(new URL('../..', import.meta.url));
const RTBENCH_BIN = join(REPO_DIR, 'bin', 'rtbench.js');
const scenarioFile = (name) => join(REPO_DIR, 'arena', 'scenarios', name);

/**
 * @typedef {object} Headline
 * @property {string} key    a comparison row (`latency.p99`) or a counter from the rounds files (`counters.msgs_lost`)
 * @property {string} label  the column heading
 * @property {string} unit  us, bytes, rate, count or percent
 */

/**
 * @typedef {object} Workload
 * @property {string} id        folder name under the results folder
 * @property {string} title
 * @property {string} what      one sentence: what the load is
 * @property {string} scenario  a built-in scenario name or a file under arena/scenarios/
 * @property {string[]} args    compare flags for the load
 * @property {string[]} quick   the same for --quick (a smoke run, seconds long)
 * @property {string} [quickScenario]  another scenario for --quick
 * @property {string} rankBy
 * @property {Headline[]} headline
 */

const CPU_RSS = [
  { key: 'server.cpu_percent.mean', label: 'server CPU (mean, % of a core)', unit: 'percent' },
  { key: 'server.rss.peak', label: 'server RSS (peak)', unit: 'bytes' },
];
const ECHO_HEADLINE = [
  { key: 'latency.p50', label: 'p50', unit: 'us' },
  { key: 'latency.p99', label: 'p99', unit: 'us' },
  { key: 'msgs_per_sec', label: 'replies/s', unit: 'rate' },
  { key: 'server.msgs_per_cpu_second', label: 'replies per server CPU-s', unit: 'rate' },
  ...CPU_RSS,
];
const echoAt = (perConnection, total) => ({
  id: `echo-${total}`,
  title: `Echo latency at ${total} msgs/s (open loop)`,
  what: `\`echo -c 100 --rate ${perConnection}\`: 100 connections × ${perConnection} msgs/s of 32 bytes on /websocket, every send at its intended time, latency from that time (coordinated omission corrected)`,
  scenario: 'echo',
  args: ['-c', '100', '--rate', String(perConnection), '-d', '6s', '--warmup', '1s'],
  quick: ['-c', '10', '--rate', String(perConnection / 10), '-d', '2s', '--warmup', '0'],
  rankBy: 'latency.p99',
  headline: ECHO_HEADLINE,
});

/** @type {Workload[]} */
export const WORKLOADS = [
  echoAt(10, '1k'),
  echoAt(100, '10k'),
  echoAt(500, '50k'),
  {
    id: 'echo-throughput',
    title: 'Echo throughput (closed loop)',
    what: '`echo-closed`: 100 connections × 10 messages in flight each on /websocket; a reply lets the next message go',
    scenario: 'echo-closed',
    args: ['-c', '100', '--in-flight', '10', '-d', '6s', '--warmup', '1s'],
    quick: ['-c', '10', '--in-flight', '2', '-d', '2s', '--warmup', '0'],
    rankBy: 'msgs_per_sec',
    headline: [
      { key: 'msgs_per_sec', label: 'replies/s', unit: 'rate' },
      { key: 'server.msgs_per_cpu_second', label: 'replies per server CPU-s', unit: 'rate' },
      { key: 'latency.p50', label: 'p50', unit: 'us' },
      { key: 'latency.p99', label: 'p99', unit: 'us' },
      ...CPU_RSS,
    ],
  },
  {
    id: 'idle-10k',
    title: '10,000 idle WebSocket connections',
    what: '`arena/scenarios/idle.json`: 10,000 connections to /websocket opened at 2,000/s, then held 6 s without a message',
    scenario: scenarioFile('idle.json'),
    args: [],
    quick: ['-c', '200', '-d', '2s', '--warmup', '0'],
    rankBy: 'server.rss_per_connection',
    headline: [
      { key: 'server.rss_per_connection', label: 'RSS per connection (peak ÷ connections)', unit: 'bytes' },
      { key: 'derived.rss_marginal_per_connection', label: '≈ marginal RSS per connection', unit: 'bytes' },
      { key: 'connect_time.p99', label: 'connect p99', unit: 'us' },
      { key: 'counters.connections_failed', label: 'failed connections', unit: 'count' },
      ...CPU_RSS,
    ],
  },
  {
    id: 'sse-1k',
    title: "1,000 SSE streams (the seed's /sse)",
    what: '`arena/scenarios/sse.json`: 1,000 streams of /sse?interval_ms=1000 (data:0 … data:9, 1 s apart, then the end), no reconnect',
    scenario: scenarioFile('sse.json'),
    quickScenario: scenarioFile('sse-quick.json'),
    args: [],
    quick: ['-c', '50'],
    rankBy: 'first_event_time.p99',
    headline: [
      { key: 'first_event_time.p50', label: 'first event p50', unit: 'us' },
      { key: 'first_event_time.p99', label: 'first event p99', unit: 'us' },
      { key: 'event_gap.p99', label: 'event gap p99', unit: 'us' },
      { key: 'counters.events_missing', label: 'events missing', unit: 'count' },
      ...CPU_RSS,
    ],
  },
  {
    id: 'broadcast-1k',
    title: 'Broadcast to 1,000 subscribers (server-published, 10/s)',
    what: "`arena/scenarios/broadcast.json`: 1,000 subscribers of /broadcast?publish_hz=10, the server's own task publishing stamped messages through its broadcast idiom, 8 s",
    scenario: scenarioFile('broadcast.json'),
    args: [],
    quick: ['-c', '50', '-d', '2s'],
    rankBy: 'fanout_latency.p99',
    headline: [
      { key: 'fanout_latency.p50', label: 'fan-out p50', unit: 'us' },
      { key: 'fanout_latency.p99', label: 'fan-out p99', unit: 'us' },
      { key: 'counters.msgs_lost', label: 'lost', unit: 'count' },
      { key: 'deliveries_per_sec', label: 'deliveries/s', unit: 'rate' },
      ...CPU_RSS,
    ],
  },
  {
    id: 'whiteboard',
    title: 'Whiteboard: 50 users × 30 strokes/s, all-to-all',
    what: '`whiteboard -c 50 --rate 30`: 50 users each send 30 JSON strokes a second on /broadcast and every user receives all (75k deliveries/s)',
    scenario: 'whiteboard',
    args: ['-c', '50', '--rate', '30', '-d', '6s'],
    quick: ['-c', '5', '--rate', '10', '-d', '2s'],
    rankBy: 'fanout_latency.p99',
    headline: [
      { key: 'fanout_latency.p50', label: 'fan-out p50', unit: 'us' },
      { key: 'fanout_latency.p99', label: 'fan-out p99', unit: 'us' },
      { key: 'counters.msgs_lost', label: 'lost', unit: 'count' },
      { key: 'deliveries_per_sec', label: 'deliveries/s', unit: 'rate' },
      ...CPU_RSS,
    ],
  },
];

/** The servers the matrix measures by default: the five frameworks. `node-cluster` is opt-in (see arena/README.md). */
export const DEFAULT_SERVERS = ['hyperlane', 'go', 'node', 'spring', 'python'];

/** Server on CPU 0, rtbench and its generator on CPU 1: the same for every server. */
export const PINNING = { server: '0', client: '1' };

/** How long a server has to accept connections: a JVM on one busy core takes tens of seconds. */
const READY_TIMEOUT = '90s';
/** Upper bound of one run (start, ramp, window, drain, stop) when bounding a whole workload. */
const RUN_BUDGET_MS = 150_000;

export function loadAverage() {
  return os.loadavg().map((v) => Math.round(v * 100) / 100);
}

export function gitCommit() {
  const r = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: REPO_DIR, encoding: 'utf8' });
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: REPO_DIR, encoding: 'utf8' });
  return r.status === 0 ? `${r.stdout.trim()}${dirty.stdout.trim() ? ' (with uncommitted changes)' : ''}` : 'unknown';
}

/**
 * The compare command of one workload, as argv after `node`.
 * @param {Workload} w
 * @param {{name: string, command: string}[]} servers  each command with `{port}`
 */
export function compareArgv(w, servers, { rounds, quick, dir }) {
  return [
    RTBENCH_BIN,
    'compare',
    ...servers.flatMap((s) => ['--server', `${s.name}=${s.command}`]),
    quick && w.quickScenario ? w.quickScenario : w.scenario,
    ...(quick ? w.quick : w.args),
    '--rounds',
    String(rounds),
    '--cooldown',
    quick ? '0.2s' : '1s',
    '--server-cpus',
    PINNING.server,
    '--client-cpus',
    PINNING.client,
    '--server-ready-timeout',
    READY_TIMEOUT,
    '--rank-by',
    w.rankBy,
    '--save-dir',
    join(dir, 'rounds'),
    '--format',
    'json',
    '--out',
    join(dir, 'comparison.json'),
  ];
}

/** Runs `node argv` with stderr copied to `logPath` and to `onLine`; kills its group after `timeoutMs`. */
function runNode(argv, logPath, timeoutMs, onLine) {
  return new Promise((resolve) => {
    const log = createWriteStream(logPath);
    const child = spawn(process.execPath, argv, { cwd: REPO_DIR, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }, timeoutMs);
    let partial = '';
    const onData = (chunk) => {
      log.write(chunk);
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onLine?.(line);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (err) => {
      clearTimeout(timer);
      log.end();
      resolve({ code: -1, why: err.message });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (partial) onLine?.(partial);
      log.end();
      resolve({
        code: code ?? -1,
        why: timedOut ? `timed out after ${timeoutMs / 1000} s` : signal ? `killed by ${signal}` : `exit ${code}`,
      });
    });
  });
}

/**
 * Runs one workload over `servers` (those that passed conformance) into `<out>/<id>/`.
 * @param {Workload} w
 * @param {{name: string, command: string}[]} servers
 * @param {{rounds: number, quick: boolean, out: string, excluded: {name: string, why: string}[], conformance?: {name: string, passed: boolean, failures: string[], attempts: number}[], onLine?: (line: string) => void}} opts
 */
export async function runWorkload(w, servers, opts) {
  const dir = join(opts.out, w.id);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const argv = compareArgv(w, servers, { rounds: opts.rounds, quick: opts.quick, dir });
  const startedAt = new Date();
  const loadBefore = loadAverage();
  const meta = {
    id: w.id,
    title: w.title,
    startedAt: startedAt.toISOString(),
    commit: gitCommit(),
    rounds: opts.rounds,
    quick: opts.quick,
    servers: servers.map((s) => s.name),
    excluded: opts.excluded,
    conformance: opts.conformance ?? [],
    pinning: PINNING,
    command: `rtbench ${argv.slice(1).map(shellQuote).join(' ')}`,
    loadAverageBefore: loadBefore,
  };
  writeFileSync(join(dir, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
  if (servers.length < 2) {
    const done = { ...meta, ok: false, why: 'fewer than two servers to compare', seconds: 0 };
    writeFileSync(join(dir, 'meta.json'), `${JSON.stringify(done, null, 2)}\n`);
    return done;
  }
  const timeoutMs = opts.rounds * servers.length * RUN_BUDGET_MS + 60_000;
  const ran = await runNode(argv, join(dir, 'compare.log'), timeoutMs, opts.onLine);
  let html = { code: -1, why: 'no rounds saved' };
  const roundsDir = join(dir, 'rounds');
  const files = listRounds(roundsDir, servers);
  if (files.length > 0) {
    html = await runNode(
      [RTBENCH_BIN, 'compare', ...files, '--rank-by', w.rankBy, '--format', 'html', '--out', join(dir, 'report.html')],
      join(dir, 'report.log'),
      120_000,
    );
  }
  const seconds = Math.round((Date.now() - startedAt.getTime()) / 1000);
  const done = {
    ...meta,
    finishedAt: new Date().toISOString(),
    seconds,
    loadAverageAfter: loadAverage(),
    // compare exits 0, or 3 when a server could not be reached in any round; either way it wrote what it measured.
    ok: ran.code === 0 || ran.code === 3,
    why: ran.why,
    html: html.code === 0 ? 'report.html' : undefined,
  };
  writeFileSync(join(dir, 'meta.json'), `${JSON.stringify(done, null, 2)}\n`);
  return done;
}

/** The rounds files of `servers`, in their order (compare names each file after its target). */
function listRounds(roundsDir, servers) {
  let present = [];
  try {
    present = readdirSync(roundsDir);
  } catch {
    return [];
  }
  return servers.filter((s) => present.includes(`${s.name}.json`)).map((s) => join(roundsDir, `${s.name}.json`));
}

function shellQuote(s) {
  return /^[A-Za-z0-9_./:=,{}@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
