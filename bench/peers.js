/**
 * Benchmark 4, peers: the same WebSocket echo driven by peer load tools and by rtbench, each
 * against a fresh reference server, each measured the same way from outside (lib/window.js):
 * server-counted msgs/s, and CPU and memory of the tool's whole process tree. The peers:
 *
 * - Artillery 2.0.21 (its `ws` engine, bench/peers/echo-closed.yml; VUs in a worker thread of
 *   one process), closed loop with the one message in flight its ws engine can express.
 * - tcpkali (C, libev; lib/tcpkali.js), open loop: it sends on its own schedule and reads the
 *   echoes without waiting for them. It has no closed loop, so it is compared at equal load (the
 *   same offered rate as rtbench's open loop) and at a high rate; its unlimited mode overruns an
 *   echo server and is not run (see the note it leaves, and the README).
 * - k6 is not measured: see K6_SKIPPED.
 *
 * The workload is the overhead benchmark's echo over 100 connections, 32-byte messages.
 * "At its best": rtbench with 10 messages in flight per connection (benchmark 1's workload),
 * Artillery with its one, tcpkali at 2,000 msgs/s per connection (200k/s in all, about what the
 * reference server echoes here; a faster rate only queues in the server), which rtbench is also
 * asked for open loop ("equal high load"). "Equal depth": one message in
 * flight per connection for rtbench and Artillery, with the bare `ws` client
 * (bench/bare-echo-client.js) as a reference: it shows how much of the ratio is the workload
 * itself. "Equal load": 200 msgs/s per connection (20k/s in all) offered open loop by rtbench
 * and tcpkali; Artillery's ws engine has no message rate, so it sits that one out.
 *
 * The peers stay out of rtbench's dependencies: bench/peers/ is Artillery's own private package,
 * installed here on first use, and tcpkali is found on PATH or installed from Debian's package
 * on first use; --smoke installs nothing and skips what is missing.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { track } from './lib/children.js';
import { ROOT, withServer } from './lib/server.js';
import { describeProcesses, formatValue } from './lib/report.js';
import { median, summarizePairs } from './lib/stats.js';
import { startBareEcho, startRtbenchEcho } from './lib/echo-tools.js';
import { locateTcpkali, startTcpkali } from './lib/tcpkali.js';
import { assertExited, startTool } from './lib/tool.js';
import { measureEchoWindow } from './lib/window.js';

const PEERS_DIR = join(ROOT, 'bench/peers');
const ARTILLERY_BIN = join(PEERS_DIR, 'node_modules/artillery/bin/run');
const SETTINGS = {
  full: {
    connections: 100,
    inFlight: 1,
    deepInFlight: 10,
    equalRatePerConnection: 200,
    highRatePerConnection: 2000,
    sizeBytes: 32,
    warmupMs: 2000,
    windowMs: 8000,
    tailMs: 2000,
  },
  smoke: {
    connections: 10,
    inFlight: 1,
    deepInFlight: 10,
    equalRatePerConnection: 100,
    highRatePerConnection: 1000,
    sizeBytes: 32,
    warmupMs: 500,
    windowMs: 1000,
    tailMs: 2000,
  },
};

/** Why k6 has no row: the package rules of this project's machines, not a technical limit. */
export const K6_SKIPPED =
  'k6 not measured: go.k6.io/k6 is licensed AGPL-3.0, and the package notes for this project’s machines mark it ' +
  'not to be used (“use something else”), so it is neither built nor pinned here';

export const title = 'Peers: rtbench vs Artillery 2.0.21 (ws engine) and tcpkali (WebSocket mode), echo over 100 connections';

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

/** Artillery if installed (or installable: full runs install it on first use), else the reason it is skipped. */
async function locateArtillery(ctx) {
  if (existsSync(ARTILLERY_BIN)) return {};
  if (ctx.smoke) {
    return {
      skipped:
        'bench/peers/node_modules is missing and --smoke does not install Artillery; ' +
        'run `npm run bench` (or npm install --prefix bench/peers) once',
    };
  }
  await installPeers(ctx);
  return {};
}

function startPeerTool(ctx, which, url, s, runMs, rep, tools) {
  switch (which) {
    case 'rtbench':
      return startRtbenchEcho(ctx, url, s, runMs, `peers-${rep}`);
    case 'rtbench-deep':
      return startRtbenchEcho(ctx, url, { ...s, inFlight: s.deepInFlight }, runMs, `peers-deep-${rep}`);
    case 'rtbench-high':
      return startRtbenchEcho(ctx, url, { ...s, ratePerConnection: s.highRatePerConnection }, runMs, `peers-high-${rep}`);
    case 'rtbench-rate':
      return startRtbenchEcho(ctx, url, { ...s, ratePerConnection: s.equalRatePerConnection }, runMs, `peers-rate-${rep}`);
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
    case 'tcpkali-high':
      return startTcpkali(tools.tcpkali.bin, url, { ...s, ratePerConnection: s.highRatePerConnection }, runMs);
    case 'tcpkali-rate':
      return startTcpkali(tools.tcpkali.bin, url, { ...s, ratePerConnection: s.equalRatePerConnection }, runMs);
    default:
      throw new Error(`unknown peer tool ${which}`);
  }
}

async function runOne(ctx, which, s, rep, tools) {
  return withServer(async (server) => {
    const url = server.url('ws', '/websocket');
    const runMs = s.warmupMs + s.windowMs + s.tailMs;
    const tool = startPeerTool(ctx, which, url, s, runMs, rep, tools);
    try {
      const w = await measureEchoWindow(server, tool, {
        connections: s.connections,
        warmupMs: s.warmupMs,
        windowMs: s.windowMs,
        openTimeoutMs: 90_000,
      });
      // The reference server's own memory at the window's end: what a tool that outruns its
      // echoes leaves queued there.
      const serverRssBytes = server.rssBytes();
      assertExited(which, await tool.done);
      return { ...w, serverRssBytes };
    } finally {
      tool.kill();
    }
  });
}

/** Runs the benchmark; returns its figures and every repetition's raw numbers. */
export async function run(ctx) {
  const s = ctx.smoke ? SETTINGS.smoke : SETTINGS.full;
  const artillery = await locateArtillery(ctx);
  const tcpkali = await locateTcpkali(ctx);
  const skips = [K6_SKIPPED];
  if (artillery.skipped) skips.push(`Artillery not measured: ${artillery.skipped}`);
  if (tcpkali.skipped) skips.push(`tcpkali not measured: ${tcpkali.skipped}`);
  if (artillery.skipped && tcpkali.skipped) return { title, figures: [], skipped: skips.join('; ') };
  const tcpkaliName = tcpkali.version ? `tcpkali ${tcpkali.version}` : 'tcpkali';

  const runs = [['rtbench-deep', `rtbench, ${s.deepInFlight} in flight`]];
  if (!artillery.skipped) runs.push(['artillery', 'artillery']);
  if (!tcpkali.skipped) {
    runs.push(
      ['tcpkali-high', `tcpkali, ${s.highRatePerConnection} msgs/s per connection`],
      ['rtbench-high', `rtbench, open loop ${s.highRatePerConnection} msgs/s per connection`],
    );
  }
  if (!artillery.skipped) runs.push(['rtbench', `rtbench, ${s.inFlight} in flight`], ['bare', 'bare ws client (reference)']);
  if (!tcpkali.skipped) {
    runs.push(
      ['rtbench-rate', `rtbench, open loop ${s.equalRatePerConnection} msgs/s per connection`],
      ['tcpkali-rate', `tcpkali, ${s.equalRatePerConnection} msgs/s per connection`],
    );
  }
  const reps = [];
  // Interleaved: each repetition runs every tool once, against its own fresh server.
  for (let i = 0; i < ctx.reps; i++) {
    const rep = {};
    for (const [which, label] of runs) {
      ctx.log(`peers rep ${i + 1}/${ctx.reps}: ${label}`);
      rep[which] = await runOne(ctx, which, s, i, { tcpkali });
    }
    reps.push(rep);
  }
  const vs = (candidate, baseline, f) => summarizePairs(reps.map((r) => ({ candidate: f(r[candidate]), baseline: f(r[baseline]) })));
  const figure = (id, peer, label, unit, candidate, baseline, f, target) => ({
    id,
    peer,
    label: `vs ${peer}: ${label}`,
    unit,
    ...vs(candidate, baseline, f),
    ...(target ? { target } : {}),
  });
  const figures = [];
  const notes = [...skips];
  const referenceFigures = {};
  if (!artillery.skipped) {
    const a = 'Artillery 2.0.21';
    const best = `${s.connections} conn, 32 B; rtbench ${s.deepInFlight} in flight, Artillery ${s.inFlight}`;
    const equal = `${s.connections} conn × ${s.inFlight} in flight each`;
    figures.push(
      figure(
        'throughput_msgs_per_sec',
        a,
        `echo msgs/s, each at its best (${best})`,
        'msgs/s',
        'rtbench-deep',
        'artillery',
        (t) => t.msgsPerSec,
        {
          op: '>=',
          value: 3,
        },
      ),
      figure('rss_peak_bytes', a, 'tool RSS peak (process tree), same runs', 'bytes', 'rtbench-deep', 'artillery', (t) => t.rssPeakBytes, {
        op: '<=',
        value: 1 / 3,
      }),
      figure('cpu_us_per_msg', a, 'tool CPU µs per message, same runs', 'µs', 'rtbench-deep', 'artillery', (t) => t.cpuUsPerMsg),
      figure(
        'equal_depth_throughput_msgs_per_sec',
        a,
        `echo msgs/s at equal depth (${equal})`,
        'msgs/s',
        'rtbench',
        'artillery',
        (t) => t.msgsPerSec,
      ),
      figure('equal_depth_rss_peak_bytes', a, 'tool RSS peak at equal depth', 'bytes', 'rtbench', 'artillery', (t) => t.rssPeakBytes),
      figure('equal_depth_cpu_percent', a, 'tool CPU % of one core at equal depth', '%', 'rtbench', 'artillery', (t) => t.cpuPercent),
      figure(
        'equal_depth_server_cpu_percent',
        a,
        'server CPU % of one core at equal depth',
        '%',
        'rtbench',
        'artillery',
        (t) => t.serverCpuPercent,
      ),
      figure('equal_depth_cpu_us_per_msg', a, 'tool CPU µs per message at equal depth', 'µs', 'rtbench', 'artillery', (t) => t.cpuUsPerMsg),
    );
    const bareThroughput = vs('rtbench', 'bare', (t) => t.msgsPerSec);
    const bareCpu = vs('rtbench', 'bare', (t) => t.cpuUsPerMsg);
    Object.assign(referenceFigures, { bare_throughput_msgs_per_sec: bareThroughput, bare_cpu_us_per_msg: bareCpu });
    notes.push(
      `RSS and CPU by process in repetition 1's window: rtbench ${describeProcesses(reps[0]?.['rtbench-deep'].processes)}; ` +
        `Artillery ${describeProcesses(reps[0]?.artillery.processes)}`,
      `reference at equal depth, the bare ws client: ${formatValue(bareThroughput.baseline, 'msgs/s')} ` +
        `msgs/s at ${formatValue(bareCpu.baseline, 'µs')} CPU per message; ` +
        `rtbench/bare ${bareThroughput.ratio?.toFixed(2)}× msgs/s, ${bareCpu.ratio?.toFixed(2)}× CPU per message`,
    );
  }
  if (!tcpkali.skipped) {
    const k = tcpkaliName;
    const high = `rtbench ${s.deepInFlight} in flight, tcpkali ${s.highRatePerConnection} msgs/s per conn`;
    const load = `${s.connections} conn × ${s.equalRatePerConnection} msgs/s offered, open loop`;
    figures.push(
      figure(
        'tcpkali_throughput_msgs_per_sec',
        k,
        `echo msgs/s, each at its best (${high})`,
        'msgs/s',
        'rtbench-deep',
        'tcpkali-high',
        (t) => t.msgsPerSec,
      ),
      figure('tcpkali_rss_peak_bytes', k, 'tool RSS peak, same runs', 'bytes', 'rtbench-deep', 'tcpkali-high', (t) => t.rssPeakBytes),
      figure('tcpkali_cpu_us_per_msg', k, 'tool CPU µs per message, same runs', 'µs', 'rtbench-deep', 'tcpkali-high', (t) => t.cpuUsPerMsg),
      figure(
        'tcpkali_high_load_throughput_msgs_per_sec',
        k,
        `echo msgs/s at equal high load (${s.connections} conn × ${s.highRatePerConnection} msgs/s offered, open loop)`,
        'msgs/s',
        'rtbench-high',
        'tcpkali-high',
        (t) => t.msgsPerSec,
      ),
      figure(
        'tcpkali_high_load_cpu_us_per_msg',
        k,
        'tool CPU µs per message at equal high load',
        'µs',
        'rtbench-high',
        'tcpkali-high',
        (t) => t.cpuUsPerMsg,
      ),
      figure(
        'tcpkali_high_load_rss_peak_bytes',
        k,
        'tool RSS peak at equal high load',
        'bytes',
        'rtbench-high',
        'tcpkali-high',
        (t) => t.rssPeakBytes,
      ),
      figure(
        'tcpkali_equal_load_throughput_msgs_per_sec',
        k,
        `echo msgs/s at equal load (${load})`,
        'msgs/s',
        'rtbench-rate',
        'tcpkali-rate',
        (t) => t.msgsPerSec,
      ),
      figure(
        'tcpkali_equal_load_cpu_us_per_msg',
        k,
        'tool CPU µs per message at equal load',
        'µs',
        'rtbench-rate',
        'tcpkali-rate',
        (t) => t.cpuUsPerMsg,
      ),
      figure(
        'tcpkali_equal_load_rss_peak_bytes',
        k,
        'tool RSS peak at equal load',
        'bytes',
        'rtbench-rate',
        'tcpkali-rate',
        (t) => t.rssPeakBytes,
      ),
    );
    notes.push(
      `tcpkali: ${tcpkali.bin} (${k}); CPU and RSS in repetition 1's high-rate window: ${describeProcesses(reps[0]?.['tcpkali-high'].processes)}; ` +
        `server RSS at the window's end ${formatValue(median(reps.map((r) => r['tcpkali-high'].serverRssBytes)), 'bytes')} ` +
        `(rtbench ${s.deepInFlight} in flight: ${formatValue(median(reps.map((r) => r['rtbench-deep'].serverRssBytes)), 'bytes')})`,
      "tcpkali's unlimited mode (no --message-rate) is not run: it writes far faster than it reads its echoes, the reference " +
        'server queues them (1–1.5 GiB in seconds) and stops answering /stats, so no window can be measured (README, Performance)',
    );
  }
  return {
    title,
    baseline: 'peer',
    baselineDescription:
      'artillery@2.0.21 (bench/peers), ws engine, bench/peers/echo-closed.yml; tcpkali (WebSocket mode, bench/lib/tcpkali.js); ' +
      'each figure names its peer',
    settings: {
      ...s,
      peers: { artillery: artillery.skipped ?? 'artillery@2.0.21', tcpkali: tcpkali.skipped ?? tcpkaliName, k6: K6_SKIPPED },
    },
    figures,
    referenceFigures,
    notes,
    reps,
  };
}
