/**
 * Benchmark 4, peers: the same closed-loop echo run by Artillery 2.0.21 (its `ws` engine,
 * bench/peers/echo-closed.yml) and by rtbench, each against a fresh reference server, each
 * measured the same way from outside (lib/window.js): server-counted msgs/s, and CPU and
 * memory of the tool's whole process tree (Artillery runs its VUs in a worker thread of one
 * process; rtbench its one generator in its own process).
 *
 * The workload is the overhead benchmark's closed-loop echo over 100 connections, 32-byte
 * messages, each tool driving it as hard as it can: rtbench with 10 messages in flight per
 * connection (`-c 100 --in-flight 10`, benchmark 1's workload), Artillery with the one its ws
 * engine can express (a `send` either waits for the reply or does not wait at all). That pair
 * carries the issue's target: the load a user gets out of each tool on the same box.
 *
 * The same comparison at equal depth, one message in flight per connection for both, is
 * reported beside it, with the bare `ws` client (bench/bare-echo-client.js) on that workload
 * as a reference: it shows how much of the ratio is the workload itself (one frame per
 * connection per round trip, a write syscall each way) rather than either tool.
 *
 * Artillery stays out of rtbench's dependencies: bench/peers/ is its own private package,
 * installed here on first use (never in --smoke, which skips this benchmark instead).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { track } from './lib/children.js';
import { ROOT, withServer } from './lib/server.js';
import { describeProcesses, formatValue } from './lib/report.js';
import { summarizePairs } from './lib/stats.js';
import { startBareEcho, startRtbenchEcho } from './lib/echo-tools.js';
import { assertExited, startTool } from './lib/tool.js';
import { measureEchoWindow } from './lib/window.js';

const PEERS_DIR = join(ROOT, 'bench/peers');
const ARTILLERY_BIN = join(PEERS_DIR, 'node_modules/artillery/bin/run');
const SETTINGS = {
  full: { connections: 100, inFlight: 1, deepInFlight: 10, sizeBytes: 32, warmupMs: 2000, windowMs: 8000 },
  smoke: { connections: 10, inFlight: 1, deepInFlight: 10, sizeBytes: 32, warmupMs: 500, windowMs: 1000 },
};
const TAIL_MS = 2000;

export const title = 'Peers: rtbench vs Artillery 2.0.21 (ws engine), closed-loop echo over 100 connections';

/** Installs bench/peers (Artillery) with npm, never downloading a browser. */
function installPeers(ctx) {
  ctx.log('installing bench/peers (artillery@2.0.21) with npm; this takes a few minutes once');
  return new Promise((resolve, reject) => {
    const npm = track(
      spawn('npm', ['install', '--prefix', PEERS_DIR, '--no-audit', '--no-fund'], {
        cwd: ROOT,
        env: { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' },
        stdio: ['ignore', 2, 2],
      }),
    );
    npm.once('error', reject);
    npm.once('close', (code) =>
      code === 0 ? resolve(undefined) : reject(new Error(`npm install --prefix bench/peers exited with ${code}`)),
    );
  });
}

function startPeerTool(ctx, which, url, s, runMs, rep) {
  switch (which) {
    case 'rtbench':
      return startRtbenchEcho(ctx, url, s, runMs, `peers-${rep}`);
    case 'rtbench-deep':
      return startRtbenchEcho(ctx, url, { ...s, inFlight: s.deepInFlight }, runMs, `peers-deep-${rep}`);
    case 'bare':
      return startBareEcho(url, s, runMs);
    case 'artillery':
      return startTool([ARTILLERY_BIN, 'run', 'echo-closed.yml', '-o', join(ctx.tmpDir, `artillery-${rep}.json`)], {
        cwd: PEERS_DIR,
        timeoutMs: runMs + 120_000,
        env: {
          ARTILLERY_DISABLE_TELEMETRY: '1',
          ARTILLERY_TARGET: url,
          ARTILLERY_VUS: String(s.connections),
          ARTILLERY_RUN_MS: String(runMs),
        },
      });
    default:
      throw new Error(`unknown peer tool ${which}`);
  }
}

async function runOne(ctx, which, s, rep) {
  return withServer(async (server) => {
    const url = server.url('ws', '/websocket');
    const runMs = s.warmupMs + s.windowMs + TAIL_MS;
    const tool = startPeerTool(ctx, which, url, s, runMs, rep);
    try {
      const w = await measureEchoWindow(server, tool, {
        connections: s.connections,
        warmupMs: s.warmupMs,
        windowMs: s.windowMs,
        openTimeoutMs: 90_000,
      });
      const r = await tool.done;
      assertExited(which, r);
      return w;
    } finally {
      tool.kill();
    }
  });
}

/** Runs the benchmark; returns its figures and every repetition's raw numbers. */
export async function run(ctx) {
  const s = ctx.smoke ? SETTINGS.smoke : SETTINGS.full;
  if (!existsSync(ARTILLERY_BIN)) {
    if (ctx.smoke) {
      return {
        title,
        figures: [],
        skipped:
          'bench/peers/node_modules is missing and --smoke does not install Artillery; ' +
          'run `npm run bench` (or npm install --prefix bench/peers) once',
      };
    }
    await installPeers(ctx);
  }
  const reps = [];
  // Interleaved: each repetition runs every tool once, against its own fresh server.
  for (let i = 0; i < ctx.reps; i++) {
    const rep = {};
    for (const [which, label] of [
      ['rtbench-deep', `rtbench, ${s.deepInFlight} in flight`],
      ['artillery', 'artillery'],
      ['rtbench', `rtbench, ${s.inFlight} in flight`],
      ['bare', 'bare ws client (reference)'],
    ]) {
      ctx.log(`peers rep ${i + 1}/${ctx.reps}: ${label}`);
      rep[which] = await runOne(ctx, which, s, i);
    }
    reps.push(rep);
  }
  const vs = (candidate, baseline, f) => summarizePairs(reps.map((r) => ({ candidate: f(r[candidate]), baseline: f(r[baseline]) })));
  const bareThroughput = vs('rtbench', 'bare', (t) => t.msgsPerSec);
  const bareCpu = vs('rtbench', 'bare', (t) => t.cpuUsPerMsg);
  const best = `${s.connections} conn, 32 B; rtbench ${s.deepInFlight} in flight, Artillery ${s.inFlight}`;
  const equal = `${s.connections} conn × ${s.inFlight} in flight each`;
  return {
    title,
    baseline: 'Artillery 2.0.21',
    baselineDescription: 'artillery@2.0.21 (bench/peers), ws engine, bench/peers/echo-closed.yml',
    settings: s,
    figures: [
      {
        id: 'throughput_msgs_per_sec',
        label: `echo msgs/s, each at its best (${best})`,
        unit: 'msgs/s',
        ...vs('rtbench-deep', 'artillery', (t) => t.msgsPerSec),
        target: { op: '>=', value: 3 },
      },
      {
        id: 'rss_peak_bytes',
        label: 'tool RSS peak (process tree), same runs',
        unit: 'bytes',
        ...vs('rtbench-deep', 'artillery', (t) => t.rssPeakBytes),
        target: { op: '<=', value: 1 / 3 },
      },
      {
        id: 'equal_depth_throughput_msgs_per_sec',
        label: `echo msgs/s at equal depth (${equal})`,
        unit: 'msgs/s',
        ...vs('rtbench', 'artillery', (t) => t.msgsPerSec),
      },
      {
        id: 'equal_depth_rss_peak_bytes',
        label: 'tool RSS peak at equal depth',
        unit: 'bytes',
        ...vs('rtbench', 'artillery', (t) => t.rssPeakBytes),
      },
      {
        id: 'equal_depth_cpu_percent',
        label: 'tool CPU % of one core at equal depth',
        unit: '%',
        ...vs('rtbench', 'artillery', (t) => t.cpuPercent),
      },
      {
        id: 'equal_depth_server_cpu_percent',
        label: 'server CPU % of one core at equal depth',
        unit: '%',
        ...vs('rtbench', 'artillery', (t) => t.serverCpuPercent),
      },
      {
        id: 'equal_depth_cpu_us_per_msg',
        label: 'tool CPU µs per message at equal depth',
        unit: 'µs',
        ...vs('rtbench', 'artillery', (t) => t.cpuUsPerMsg),
      },
    ],
    referenceFigures: {
      bare_throughput_msgs_per_sec: bareThroughput,
      bare_cpu_us_per_msg: bareCpu,
    },
    notes: [
      `RSS and CPU by process in repetition 1's window: rtbench ${describeProcesses(reps[0]?.['rtbench-deep'].processes)}; ` +
        `Artillery ${describeProcesses(reps[0]?.artillery.processes)}`,
      `reference at equal depth, the bare ws client: ${formatValue(bareThroughput.baseline, 'msgs/s')} ` +
        `msgs/s at ${formatValue(bareCpu.baseline, 'µs')} CPU per message; ` +
        `rtbench/bare ${bareThroughput.ratio?.toFixed(2)}× msgs/s, ${bareCpu.ratio?.toFixed(2)}× CPU per message`,
    ],
    reps,
  };
}
