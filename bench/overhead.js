/**
 * Benchmark 1, generator overhead: rtbench against a minimal hand-written `ws` client
 * (bench/bare-echo-client.js) doing the same closed-loop echo against the same reference
 * server build. Each repetition runs rtbench then the bare client, each against a freshly
 * started server; throughput is counted by the server over one window (lib/window.js), while
 * the tool's process tree is sampled for CPU and memory.
 *
 * Both tools share two cores with the server, so throughput is partly the server's limit;
 * CPU per message (tool CPU time / messages in the window) is the purer overhead figure.
 */
import { withServer } from './lib/server.js';
import { startBareEcho, startRtbenchEcho } from './lib/echo-tools.js';
import { assertExited, lastJson } from './lib/tool.js';
import { measureEchoWindow } from './lib/window.js';
import { describeProcesses } from './lib/report.js';
import { summarizePairs } from './lib/stats.js';

const SETTINGS = {
  full: { connections: 100, inFlight: 10, sizeBytes: 32, warmupMs: 1000, windowMs: 5000, latencyMs: 5000 },
  smoke: { connections: 10, inFlight: 2, sizeBytes: 32, warmupMs: 300, windowMs: 1000, latencyMs: 1000 },
};
/** Extra run time after the window, so a tool is still sending when the window closes. */
const TAIL_MS = 1500;

export const title = 'Generator overhead: rtbench vs a bare ws client (closed-loop echo)';

/** One throughput run of `which` ('rtbench' | 'bare') on a fresh server. */
async function throughputRun(ctx, which, s, rep) {
  return withServer(async (server) => {
    const url = server.url('ws', '/websocket');
    const runMs = s.warmupMs + s.windowMs + TAIL_MS;
    const tool = which === 'rtbench' ? startRtbenchEcho(ctx, url, s, runMs, `overhead-thr-${rep}`) : startBareEcho(url, s, runMs);
    try {
      const w = await measureEchoWindow(server, tool, { connections: s.connections, warmupMs: s.warmupMs, windowMs: s.windowMs });
      const r = await tool.done;
      assertExited(which, r);
      const out = lastJson(r.stdout);
      const selfMsgsPerSec = which === 'rtbench' ? (out.metrics.latency.count / out.measuredMs) * 1000 : out.msgsPerSec;
      return { ...w, selfMsgsPerSec };
    } finally {
      tool.kill();
    }
  });
}

/** One p50 run at 1 connection × 1 in flight; the tool's own histogram p50 in µs. */
async function latencyRun(ctx, which, s, rep) {
  return withServer(async (server) => {
    const url = server.url('ws', '/websocket');
    const runMs = s.warmupMs + s.latencyMs;
    const load = { ...s, connections: 1, inFlight: 1 };
    const tool = which === 'rtbench' ? startRtbenchEcho(ctx, url, load, runMs, `overhead-lat-${rep}`) : startBareEcho(url, load, runMs);
    const r = await tool.done;
    assertExited(which, r);
    const out = lastJson(r.stdout);
    return which === 'rtbench'
      ? { p50Us: out.metrics.latency.p50, count: out.metrics.latency.count }
      : { p50Us: out.p50us, count: out.latencyCount };
  });
}

/** Runs the benchmark; returns its figures and every repetition's raw numbers. */
export async function run(ctx) {
  const s = ctx.smoke ? SETTINGS.smoke : SETTINGS.full;
  const reps = [];
  for (let i = 0; i < ctx.reps; i++) {
    ctx.log(`overhead rep ${i + 1}/${ctx.reps}: throughput rtbench`);
    const rtThr = await throughputRun(ctx, 'rtbench', s, i);
    ctx.log(`overhead rep ${i + 1}/${ctx.reps}: throughput bare`);
    const bareThr = await throughputRun(ctx, 'bare', s, i);
    ctx.log(`overhead rep ${i + 1}/${ctx.reps}: p50 rtbench`);
    const rtLat = await latencyRun(ctx, 'rtbench', s, i);
    ctx.log(`overhead rep ${i + 1}/${ctx.reps}: p50 bare`);
    const bareLat = await latencyRun(ctx, 'bare', s, i);
    reps.push({ rtbench: { throughput: rtThr, latency: rtLat }, bare: { throughput: bareThr, latency: bareLat } });
  }
  const pair = (f) => summarizePairs(reps.map((r) => ({ candidate: f(r.rtbench), baseline: f(r.bare) })));
  const load = `${s.connections} conn × ${s.inFlight} in flight, ${s.sizeBytes} B`;
  return {
    title,
    baseline: 'bare ws',
    baselineDescription: 'bench/bare-echo-client.js: a minimal ws client doing the same closed-loop echo',
    settings: s,
    figures: [
      {
        id: 'throughput_msgs_per_sec',
        label: `echo msgs/s (${load}; server-counted)`,
        unit: 'msgs/s',
        ...pair((t) => t.throughput.msgsPerSec),
        target: { op: '>=', value: 0.9 },
      },
      {
        id: 'latency_p50_us',
        label: 'p50 latency µs (1 conn × 1 in flight)',
        unit: 'µs',
        ...pair((t) => t.latency.p50Us),
        target: { op: '<=', value: 1.2 },
      },
      { id: 'cpu_us_per_msg', label: `tool CPU µs per message (${load})`, unit: 'µs', ...pair((t) => t.throughput.cpuUsPerMsg) },
      { id: 'cpu_percent', label: 'tool CPU % of one core (same window)', unit: '%', ...pair((t) => t.throughput.cpuPercent) },
      {
        id: 'server_cpu_percent',
        label: 'server CPU % of one core (same window)',
        unit: '%',
        ...pair((t) => t.throughput.serverCpuPercent),
      },
      { id: 'rss_peak_bytes', label: 'tool RSS peak (process tree)', unit: 'bytes', ...pair((t) => t.throughput.rssPeakBytes) },
    ],
    notes: [
      `RSS and CPU by process in repetition 1's window: rtbench ${describeProcesses(reps[0]?.rtbench.throughput.processes)}; ` +
        `bare ${describeProcesses(reps[0]?.bare.throughput.processes)}`,
    ],
    reps,
  };
}
