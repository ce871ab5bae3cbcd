/**
 * The truth matrix (issue #12): rtbench must report a server's latency as it is, whatever the
 * load model, against servers whose delay is known. Shared by the test (test/e2e/truth-matrix.test.ts,
 * short windows) and the benchmark (bench/truth.js, long windows, figures printed).
 *
 * Each cell runs echo against a server that answers every message exactly D after reading it
 * (pipelined), at a send interval above or below D, with 1 or 100 connections, in the open
 * model (the default: every message at its intended time) or the closed model (the interval
 * is the think time). Two servers: rtbench's own reference server (`serve --echo-delay`, its
 * own process) and an independent one (test/fixtures/truth-server.mjs: node:net, its own
 * frame parsing, no rtbench code), so rtbench is never only checked against itself.
 *
 * A cell passes when p50 is within max(5 %, 0.3 ms) of D plus the floor (the same server,
 * model and connection count at D = 0: the cost of the round trip itself), min ≥ D, nothing
 * is lost, and in the open model no send waited for a reply. The independent server also says
 * how late its delayed writes left (GET /lateness, its median over the cell, timed inside the
 * server from read or publish to write, so latency rtbench adds on its side is never in it),
 * and the expected p50 adds that. A server late by more than the tolerance was starved of CPU:
 * such a cell is run again, and fails if it stays so, rather than absorbing any lateness.
 *
 * The floor is not simply additive. Under load (100 connections × 100 msg/s, D = 0) the round
 * trip includes a small queue, measured at 0.45-1.06 ms against 0.21-0.56 ms for one
 * connection, which a delayed server spreads out; and a sparse, idle round trip pays for
 * waking idle processes, which a delayed server (waiting out its last millisecond awake) does
 * not. So below D + floor the band reaches down to D + the smallest floor measured on that
 * server. A tool that invents latency reads high, which the upper bound still catches; one
 * that reads low is caught by min ≥ D.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { resolvePlan } from '../../dist/scenario/resolve.js';
import { validateScenario } from '../../dist/scenario/validate.js';
import { runScenario } from '../../dist/runner/run-scenario.js';
import { track } from './children.js';
import { ROOT, startServer } from './server.js';

export const TRUTH_DELAYS_MS = [0, 1, 20, 200];

/**
 * Intervals per delay and connection count: one below D and one above. With 100 connections
 * an interval below 1 ms would be over 100k msg/s, more than a 2-core box generates and
 * echoes, so D = 1 ms has only the interval above it there. D = 0 runs the intervals the
 * others need as their floor.
 */
const INTERVALS_MS = {
  1: { 0: [0.5, 10], 1: [0.5, 10], 20: [10, 100], 200: [100, 400] },
  100: { 0: [10], 1: [10], 20: [10, 100], 200: [100, 400] },
};

/** Every cell of the matrix. Closed cells use the interval above D as think time (a closed loop never sends faster than D). */
export function truthCells() {
  const cells = [];
  for (const connections of [1, 100]) {
    for (const delayMs of TRUTH_DELAYS_MS) {
      const intervals = INTERVALS_MS[connections][delayMs];
      for (const intervalMs of intervals) cells.push({ delayMs, connections, intervalMs, model: 'open' });
      const think = intervals[intervals.length - 1];
      cells.push({ delayMs, connections, intervalMs: think, model: 'closed' });
    }
  }
  return cells;
}

export function cellName(c) {
  return `D=${c.delayMs}ms ${c.connections} conn ${c.model} ${c.model === 'open' ? `every ${c.intervalMs}ms` : `think ${c.intervalMs}ms`}`;
}

/** The floor cell of `c`: D = 0, same model and connections, same interval where D = 0 has it. */
export function floorKey(c) {
  const floorIntervals = INTERVALS_MS[c.connections][0];
  const interval = c.model === 'open' && floorIntervals.includes(c.intervalMs) ? c.intervalMs : 10;
  return `${c.connections}/${c.model}/${interval}`;
}

/** Measured window per delay: long enough for a few samples at the slowest interval. */
export function windowFor(delayMs, scale = 1) {
  const measureMs = delayMs >= 200 ? 1600 : delayMs >= 20 ? 1000 : 600;
  return { warmupMs: 200 * scale, measureMs: measureMs * scale };
}

/**
 * Starts a server answering after `delayMs`: `kind` 'reference' (rtbench serve, own process) or
 * 'independent' (the fixture). Resolves to `{ wsUrl(path), httpUrl(path), lateness(), close() }`;
 * `lateness()` resolves to `{ count, p50Us }`, the delayed writes since the last call and their
 * median µs late (`{ count: undefined, p50Us: 0 }` for the reference server, which does not say).
 */
export async function startDelayServer(kind, delayMs) {
  if (kind === 'reference') {
    const server = await startServer(delayMs > 0 ? ['--echo-delay', `${delayMs}ms`] : []);
    return {
      wsUrl: (path) => server.url('ws', path),
      httpUrl: (path) => server.url('http', path),
      lateness: async () => ({ count: undefined, p50Us: 0 }),
      close: () => server.stop(),
    };
  }
  return startIndependentServer(delayMs);
}

/** The independent server (test/fixtures/truth-server.mjs) with a delay of `delayMs`, and `extraArgs`. */
export function startIndependentServer(delayMs, extraArgs = []) {
  // stdin is a pipe the server watches: if this process dies, the server exits with it.
  const child = track(
    spawn(
      process.execPath,
      [join(ROOT, 'test/fixtures/truth-server.mjs'), '--delay-us', String(Math.round(delayMs * 1000)), ...extraArgs],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    ),
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (!out.includes('\n')) return;
      const { ws, http } = JSON.parse(out);
      resolve({
        wsUrl: (path) => `ws://127.0.0.1:${ws}${path}`,
        httpUrl: (path) => `http://127.0.0.1:${http}${path}`,
        lateness: async () =>
          /** @type {{ count: number, p50Us: number }} */ (await (await fetch(`http://127.0.0.1:${http}/lateness`)).json()),
        close: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done(undefined);
            child.once('exit', () => done(undefined));
            child.kill('SIGTERM');
          }),
      });
    });
    child.once('exit', (code) => reject(new Error(`truth server exited with code ${code} before it was ready`)));
  });
}

/** Runs `scenario` (a scenario file's contents) against `target` in process; returns the result. */
export async function runAgainst(scenario, target, window) {
  const raw = { name: 'truth', warmup: `${window.warmupMs}ms`, ...scenario };
  raw.phases = raw.phases.map((p) => ({ duration: `${window.warmupMs + window.measureMs}ms`, ...p }));
  const plan = resolvePlan(validateScenario(raw, 'truth'), { workers: 1, target }, 2);
  const { result } = await runScenario(plan);
  return result;
}

/** One echo cell against `server`; the figures the judge needs. */
export async function runEchoCell(cell, server, window) {
  const load =
    cell.model === 'open'
      ? { rate: 1000 / cell.intervalMs }
      : { model: 'closed', inFlight: 1, ...(cell.intervalMs > 0 ? { thinkTime: `${cell.intervalMs}ms` } : {}) };
  const result = await runAgainst({ phases: [{ connections: cell.connections, load }] }, server.wsUrl('/websocket'), window);
  return summarize(result, 'latency');
}

/** The figures of `metric` plus the counters a truth check looks at. */
export function summarize(result, metric) {
  const m = result.metrics[metric];
  const k = result.counters;
  return {
    count: m?.count ?? 0,
    p50Us: m?.p50 ?? NaN,
    minUs: m?.min ?? NaN,
    sent: k.msgs_sent,
    received: k.msgs_received,
    lost: k.msgs_lost,
    waited: k.sends_waited_for_reply,
    missed: k.sends_missed,
    deliveriesExpected: k.deliveries_expected,
    deliveriesReceived: k.deliveries_received,
    errors: result.errors,
    health: result.health.warnings,
  };
}

/** HDR histograms keep 3 significant digits: a reported minimum may sit up to 0.1 % below the value recorded. */
const HDR_RESOLUTION = 0.001;

/**
 * Judges one measured figure against a known delay: `{ ok, expectedUs, toleranceUs, reasons }`.
 * `floorUs` is the p50 of the same setup at D = 0; `smallestFloorUs` the smallest of the
 * server's floors (the band's lower end; see the header). `summary.serverLate` is what the
 * server said of its own lateness over the cell (see startDelayServer): the expected p50
 * includes its median, which must itself be within the tolerance.
 */
export function judge(delayMs, summary, floorUs, { open = true, countsMessages = true, smallestFloorUs = floorUs } = {}) {
  const delayUs = delayMs * 1000;
  const late = summary.serverLate ?? { count: undefined, p50Us: 0 };
  const serverLateUs = late.p50Us;
  const expectedUs = delayUs + serverLateUs + floorUs;
  const toleranceUs = toleranceFor(delayMs);
  const lowUs = delayUs + Math.min(floorUs, smallestFloorUs) - toleranceUs;
  const reasons = [];
  if (summary.count === 0) reasons.push('no samples');
  if (delayMs > 0 && late.count === 0) reasons.push('the server reported no delayed writes');
  if (serverLateUs > toleranceUs) reasons.push(`the server itself was ${fmt(serverLateUs)} late at the median: starved, not a fair cell`);
  if (summary.p50Us > expectedUs + toleranceUs || summary.p50Us < lowUs) {
    reasons.push(
      `p50 ${fmt(summary.p50Us)} not within ${fmt(toleranceUs)} of ${fmt(expectedUs)} (D ${fmt(delayUs)} + server late ${fmt(serverLateUs)} + floor ${fmt(floorUs)})`,
    );
  }
  if (summary.minUs < delayUs * (1 - HDR_RESOLUTION)) reasons.push(`min ${fmt(summary.minUs)} below D ${fmt(delayUs)}`);
  if (summary.lost !== 0) reasons.push(`${summary.lost} lost`);
  if (countsMessages && summary.received !== summary.sent) reasons.push(`received ${summary.received} of ${summary.sent}`);
  if (summary.deliveriesExpected !== summary.deliveriesReceived)
    reasons.push(`deliveries ${summary.deliveriesReceived} of ${summary.deliveriesExpected}`);
  if (open && summary.waited !== 0) reasons.push(`${summary.waited} sends waited for a reply`);
  return { ok: reasons.length === 0, expectedUs, toleranceUs, reasons };
}

/** How far a p50 may sit from its expected value: 5 % of D, at least 0.3 ms. */
export function toleranceFor(delayMs) {
  return Math.max(0.05 * delayMs * 1000, 300);
}

function fmt(us) {
  return us >= 1000 ? `${(us / 1000).toFixed(2)}ms` : `${Math.round(us)}µs`;
}

/**
 * Re-runs of a cell that measured a busy machine (see `unfair`): the busiest cell (10k msgs/s
 * against a server spinning out every last millisecond on one of 2 cores) leaves no room for a
 * noisy neighbour.
 */
const BUSY_RETRIES = 2;

/**
 * A run whose generator fell behind measured the generator, not the server: more than 1 % of
 * sends over 10 ms late, or a health warning.
 */
export function generatorWasBehind(summary) {
  return summary.health.length > 0 || summary.missed > summary.sent * 0.01;
}

/** A cell measured a machine too busy to judge it: the generator fell behind, or the server was starved. */
function unfair(summary, delayMs) {
  return generatorWasBehind(summary) || (summary.serverLate?.p50Us ?? 0) > toleranceFor(delayMs);
}

/**
 * Runs the echo matrix against `kind` servers: one cell at a time up to D = 20 ms (tolerances
 * of 0.3-1 ms; a 2-core box has no room for two runs side by side), then the D = 200 ms cells
 * together (10 ms tolerance, at most 1k msg/s in all, and each waits 200 ms per message).
 * `delays` and `connections` narrow the matrix (the benchmark's smoke mode). Resolves to rows
 * `{ cell, summary, floorUs, verdict }`; `summary.serverLate` is the server's own lateness over
 * the cell (over all D = 200 ms cells together, which share one server at once). A cell that
 * measured a busy machine is run again, up to BUSY_RETRIES times.
 */
export async function runEchoMatrix(
  kind,
  { scale = 1, log = (/** @type {string} */ _msg) => {}, delays = TRUTH_DELAYS_MS, connections = [1, 100] } = {},
) {
  const servers = new Map();
  try {
    for (const d of delays) servers.set(d, await startDelayServer(kind, d));
    const cells = truthCells().filter((c) => delays.includes(c.delayMs) && connections.includes(c.connections));
    const floors = new Map();
    const rows = [];
    /** One cell; `ownsServer` false when other cells share its server at once (then the caller reads its lateness). */
    const runOne = async (cell, ownsServer = true) => {
      const window = windowFor(cell.delayMs, scale);
      const server = servers.get(cell.delayMs);
      const attempt = async () => {
        if (ownsServer) await server.lateness();
        const summary = await runEchoCell(cell, server, window);
        if (ownsServer) summary.serverLate = await server.lateness();
        return summary;
      };
      let summary = await attempt();
      for (let retry = 1; retry <= BUSY_RETRIES && unfair(summary, cell.delayMs); retry++) {
        log(
          `${kind} ${cellName(cell)}: the machine was too busy (${summary.missed} late sends, server ${fmt(summary.serverLate?.p50Us ?? 0)} late); running it again`,
        );
        summary = await attempt();
      }
      log(
        `${kind} ${cellName(cell)}: p50 ${fmt(summary.p50Us)}, min ${fmt(summary.minUs)}, server late ${fmt(summary.serverLate?.p50Us ?? 0)}, ${summary.count} samples`,
      );
      return summary;
    };
    for (const cell of cells.filter((c) => c.delayMs === 0)) floors.set(floorKey(cell), await runOne(cell));
    const record = (cell, summary) => {
      const floorUs = floors.get(floorKey(cell)).p50Us;
      const smallestFloorUs = Math.min(...[...floors.values()].map((f) => f.p50Us));
      rows.push({
        cell,
        summary,
        floorUs,
        verdict: judge(cell.delayMs, summary, floorUs, { open: cell.model === 'open', smallestFloorUs }),
      });
    };
    for (const cell of cells.filter((c) => c.delayMs === 0)) record(cell, floors.get(floorKey(cell)));
    for (const cell of cells.filter((c) => c.delayMs > 0 && c.delayMs < 200)) record(cell, await runOne(cell));
    // The slow cells share their server at once: its lateness is read over all of them.
    const slow = cells.filter((c) => c.delayMs >= 200);
    const slowServer = servers.get(200);
    await slowServer?.lateness();
    const summaries = await Promise.all(slow.map((cell) => runOne(cell, false)));
    const slowLate = slowServer ? await slowServer.lateness() : undefined;
    slow.forEach((cell, i) => {
      record(cell, { ...summaries[i], serverLate: slowLate });
    });
    return rows;
  } finally {
    await Promise.all([...servers.values()].map((s) => s.close()));
  }
}

/** Delays of the push matrix: what a subscriber sees of a publisher whose writes lag by D. */
export const PUSH_DELAYS_MS = [0, 20, 200];

/**
 * One-way latency against the independent server at a known publish-to-write delay: SSE push
 * latency (`/sse`, 20 events/s per stream), fan-out from the server's own publisher
 * (`/broadcast?publish_hz=20`) and fan-out between client publishers (5 pubsub clients at
 * 20 msg/s each). Each case against D = 0 gives its floor. Rows `{ name, delayMs, summary, floorUs, verdict }`.
 */
export async function runPushMatrix({ scale = 1, log = (/** @type {string} */ _msg) => {}, delays = PUSH_DELAYS_MS } = {}) {
  const cases = [
    {
      name: 'SSE push_latency, 10 streams',
      metric: 'push_latency',
      run: (server, window) => runAgainst({ protocol: 'sse', phases: [{ connections: 10 }] }, server.httpUrl('/sse?hz=20'), window),
    },
    {
      name: 'fan-out from the server publisher, 10 subscribers',
      metric: 'fanout_latency',
      run: (server, window) =>
        runAgainst({ role: 'subscriber', phases: [{ connections: 10 }] }, server.wsUrl('/broadcast?publish_hz=20'), window),
    },
    {
      name: 'fan-out between 5 pubsub clients at 20 msg/s',
      metric: 'fanout_latency',
      run: (server, window) =>
        runAgainst({ role: 'pubsub', phases: [{ connections: 5, load: { rate: 20 } }] }, server.wsUrl('/broadcast'), window),
    },
  ];
  const rows = [];
  const measure = async (delayMs) => {
    const server = await startIndependentServer(delayMs);
    try {
      const out = [];
      for (const c of cases) {
        await server.lateness();
        const summary = summarize(await c.run(server, windowFor(delayMs, scale)), c.metric);
        summary.serverLate = await server.lateness();
        log(
          `${c.name} D=${delayMs}ms: p50 ${fmt(summary.p50Us)}, min ${fmt(summary.minUs)}, server late ${fmt(summary.serverLate.p50Us)}, ${summary.count} samples`,
        );
        out.push(summary);
      }
      return out;
    } finally {
      await server.close();
    }
  };
  // One delay at a time: two servers spinning out their last millisecond beside two generators
  // on 2 cores add jitter of their own to a 1 ms tolerance.
  const floors = await measure(0);
  const delayed = [];
  for (const d of delays.filter((d) => d > 0)) delayed.push(await measure(d));
  const smallestFloorUs = Math.min(...floors.map((f) => f.p50Us));
  const byDelay = [floors, ...delayed];
  [0, ...delays.filter((d) => d > 0)].forEach((delayMs, d) => {
    cases.forEach((c, i) => {
      const summary = byDelay[d][i];
      const floorUs = floors[i].p50Us;
      rows.push({
        name: c.name,
        delayMs,
        summary,
        floorUs,
        verdict: judge(delayMs, summary, floorUs, { countsMessages: false, smallestFloorUs }),
      });
    });
  });
  return rows;
}
