/**
 * Benchmark 2, connections: N idle WebSocket connections opened as fast as possible and held,
 * by rtbench (a scenario with one phase of N connections and no load) and by a minimal `ws`
 * client (bench/bare-hold-client.js), each against a fresh server. Measured from outside, the
 * same way for both:
 * - held: the server's `connections_open` once the tool has settled;
 * - connect rate: connections accepted per second between the server's first and last accept
 *   (polled every 20 ms, so the tool's start-up is not counted);
 * - client memory per connection: the marginal cost, (tree RSS holding N − tree RSS holding
 *   one connection) / (N − 1), so each tool's fixed start-up memory cancels out;
 * - server memory per connection: (server RSS holding N − its RSS before the run) / N.
 * Mind the hard open-files limit of 20,000 per process: N ≤ ~19,900 (server and client are
 * separate processes; rtbench's worker processes each hold their share).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sampleTree } from './lib/proc-tree.js';
import { withServer } from './lib/server.js';
import { median, sleep, summarizePairs } from './lib/stats.js';
import { assertExited, lastJson, startTool } from './lib/tool.js';

const SETTINGS = {
  full: { connections: 5000, holdMs: 4000 },
  smoke: { connections: 200, holdMs: 1500 },
};
const POLL_MS = 20;
/** A ramp with no new accept for this long has settled (some connections failed). */
const STALL_MS = 3000;
const SETTLE_MS = 500;
const RSS_SAMPLES = 5;
const RSS_SAMPLE_GAP_MS = 150;

export const title = 'Connections: idle WebSocket connections held, memory per connection, connect rate';

function writeScenario(ctx, connections, holdMs) {
  const file = join(ctx.tmpDir, `hold-${connections}.json`);
  const scenario = {
    name: 'bench-idle-hold',
    description: `${connections} idle WebSocket connections opened as fast as possible and held ${holdMs} ms (no messages).`,
    protocol: 'ws',
    path: '/websocket',
    phases: [{ duration: `${holdMs}ms`, connections }],
  };
  writeFileSync(file, JSON.stringify(scenario));
  return file;
}

function startHolder(ctx, which, url, connections, holdMs) {
  const timeoutMs = holdMs + 120_000;
  if (which === 'rtbench') {
    const scenario = writeScenario(ctx, connections, holdMs);
    return startTool(
      ['bin/rtbench.js', 'run', scenario, '-t', url, '--json', '-q', '-o', join(ctx.tmpDir, `hold-${which}-${connections}.json`)],
      { timeoutMs },
    );
  }
  return startTool(['bench/bare-hold-client.js', url, String(connections), String(holdMs / 1000)], { timeoutMs });
}

/** One hold run on a fresh server. */
async function holdRun(ctx, which, connections, holdMs) {
  return withServer(async (server) => {
    await sleep(200);
    const serverIdleRssBytes = server.rssBytes();
    const tool = startHolder(ctx, which, server.url('ws', '/websocket'), connections, holdMs);
    let exited = false;
    tool.done.then(() => (exited = true));
    try {
      let firstAcceptAt;
      let lastAcceptAt;
      let accepted = 0;
      let lastChangeAt = performance.now();
      for (;;) {
        const ws = (await server.stats()).by_endpoint.websocket;
        const now = performance.now();
        if (ws.connections_accepted > accepted) {
          if (accepted === 0) firstAcceptAt = now;
          accepted = ws.connections_accepted;
          lastAcceptAt = now;
          lastChangeAt = now;
        }
        if (accepted >= connections || exited || now - lastChangeAt > STALL_MS) break;
        await sleep(POLL_MS);
      }
      if (exited) throw new Error(`${which} exited before holding its connections (${accepted} of ${connections} accepted)`);
      await sleep(SETTLE_MS);
      const clientRss = [];
      const serverRss = [];
      for (let i = 0; i < RSS_SAMPLES; i++) {
        clientRss.push(sampleTree(tool.pid).rssBytes);
        serverRss.push(server.rssBytes());
        await sleep(RSS_SAMPLE_GAP_MS);
      }
      const held = (await server.stats()).by_endpoint.websocket.connections_open;
      const r = await tool.done;
      assertExited(which, r);
      const out = lastJson(r.stdout);
      const connectSpanMs = lastAcceptAt - firstAcceptAt;
      return {
        requested: connections,
        held,
        failed: which === 'rtbench' ? out.counters.connections_failed : out.failed,
        connectRatePerSec: accepted > 1 && connectSpanMs > 0 ? ((accepted - 1) / connectSpanMs) * 1000 : null,
        clientRssBytes: median(clientRss),
        serverIdleRssBytes,
        serverRssBytes: median(serverRss),
        serverBytesPerConn: held > 0 ? (median(serverRss) - serverIdleRssBytes) / held : null,
      };
    } finally {
      tool.kill();
    }
  });
}

/** Runs the benchmark; returns its figures and every repetition's raw numbers. */
export async function run(ctx) {
  const s = { ...(ctx.smoke ? SETTINGS.smoke : SETTINGS.full) };
  if (ctx.connections !== undefined) s.connections = ctx.connections;
  if (s.connections > 19_900)
    throw new Error(
      `--connections ${s.connections} exceeds what one server process can hold under the 20,000 open-files limit; use at most 19900`,
    );
  const reps = [];
  for (let i = 0; i < ctx.reps; i++) {
    const rep = {};
    for (const which of ['rtbench', 'bare']) {
      ctx.log(`connections rep ${i + 1}/${ctx.reps}: ${which} holding ${s.connections}`);
      const full = await holdRun(ctx, which, s.connections, s.holdMs);
      ctx.log(`connections rep ${i + 1}/${ctx.reps}: ${which} holding 1 (fixed memory)`);
      const one = await holdRun(ctx, which, 1, s.holdMs);
      const clientBytesPerConn = full.held > 1 ? (full.clientRssBytes - one.clientRssBytes) / (full.held - 1) : null;
      rep[which] = { ...full, clientRssOneConnBytes: one.clientRssBytes, clientBytesPerConn };
    }
    reps.push(rep);
  }
  const pair = (f) => summarizePairs(reps.map((r) => ({ candidate: f(r.rtbench), baseline: f(r.bare) })));
  return {
    title,
    baseline: 'bare ws',
    baselineDescription: 'bench/bare-hold-client.js: ws clients opened with at most 256 handshakes in flight',
    settings: s,
    figures: [
      { id: 'connections_held', label: `connections held (of ${s.connections})`, unit: 'count', ...pair((t) => t.held) },
      {
        id: 'client_bytes_per_conn',
        label: 'client memory per connection (marginal RSS)',
        unit: 'bytes',
        ...pair((t) => t.clientBytesPerConn),
        target: { op: '<=', value: 1.5 },
      },
      {
        id: 'client_rss_bytes',
        label: `client RSS holding ${s.connections} (process tree)`,
        unit: 'bytes',
        ...pair((t) => t.clientRssBytes),
      },
      {
        id: 'server_bytes_per_conn',
        label: 'server memory per connection (RSS delta)',
        unit: 'bytes',
        ...pair((t) => t.serverBytesPerConn),
      },
      { id: 'connect_rate_per_sec', label: 'connect rate (server accepts/s)', unit: 'conn/s', ...pair((t) => t.connectRatePerSec) },
    ],
    reps,
  };
}
