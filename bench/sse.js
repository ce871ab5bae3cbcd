/**
 * Benchmark 3, SSE: the hook that runs bench/sse-clients.js (written alongside this suite by
 * the SSE work) and turns its results into ratios. That script runs, per invocation, the
 * default driver (`http`: node:http + eventsource-parser), the `eventsource` package driver
 * and a bare node:http line splitter (`bare`, the floor) one after another, each in its own
 * process against a fresh `rtbench serve`; it prints one JSON line per client and mode on
 * stderr ({ mode: 'hold' | 'bulk', client, held, rssPerStreamBytes, heapPerStreamBytes,
 * eventsPerSec, … }), which is all this hook relies on.
 *
 * Repetitions run the whole script again (http, eventsource, bare, http, …), so each driver's
 * ratio to `bare` is taken within one repetition. When the script is absent the benchmark is
 * reported as skipped, never replaced by a second SSE benchmark.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './lib/server.js';
import { summarizePairs } from './lib/stats.js';
import { startTool } from './lib/tool.js';

export const SSE_SCRIPT = join(ROOT, 'bench/sse-clients.js');
const DRIVERS = [
  { client: 'http', label: 'default driver (http)' },
  { client: 'eventsource', label: 'eventsource driver' },
];
const SETTINGS = {
  full: { streams: 2000, seconds: 10, bulkStreams: 50, bulkEvents: 20_000 },
  smoke: { streams: 50, seconds: 1, bulkStreams: 5, bulkEvents: 500 },
};

export const title = 'SSE: streams held, memory per stream, events/s (bench/sse-clients.js)';

/** Runs the script once; returns its result lines keyed `<mode>:<client>`. */
async function runScript(s) {
  const tool = startTool(
    [
      SSE_SCRIPT,
      '--streams',
      String(s.streams),
      '--seconds',
      String(s.seconds),
      '--clients',
      [...DRIVERS.map((d) => d.client), 'bare'].join(','),
      '--bulk-streams',
      String(s.bulkStreams),
      '--bulk-events',
      String(s.bulkEvents),
    ],
    { timeoutMs: 30 * 60_000 },
  );
  const r = await tool.done;
  const byKey = {};
  for (const line of r.stderr.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const doc = JSON.parse(line);
      if (doc.mode && doc.client) byKey[`${doc.mode}:${doc.client}`] = doc;
    } catch {
      // a log line that merely starts with a brace
    }
  }
  if (r.code !== 0 || !byKey['hold:bare']) {
    throw new Error(
      `bench/sse-clients.js exited with ${r.code ?? r.signal} and no usable result lines: ` +
        `${r.stderr.trim().split('\n').slice(-3).join(' | ')}`,
    );
  }
  return byKey;
}

/** Runs the benchmark; returns its figures and every repetition's raw numbers. */
export async function run(ctx) {
  if (!existsSync(SSE_SCRIPT)) {
    return { title, figures: [], skipped: 'bench/sse-clients.js is not present yet; this hook (bench/sse.js) runs it as soon as it is' };
  }
  const s = { ...(ctx.smoke ? SETTINGS.smoke : SETTINGS.full) };
  if (ctx.sseStreams !== undefined) s.streams = ctx.sseStreams;
  const reps = [];
  for (let i = 0; i < ctx.reps; i++) {
    ctx.log(`sse rep ${i + 1}/${ctx.reps}: bench/sse-clients.js --streams ${s.streams} (http, eventsource, bare)`);
    reps.push(await runScript(s));
  }
  const figures = [];
  for (const d of DRIVERS) {
    const pair = (mode, key) =>
      summarizePairs(reps.map((r) => ({ candidate: r[`${mode}:${d.client}`]?.[key] ?? null, baseline: r[`${mode}:bare`]?.[key] ?? null })));
    figures.push(
      { id: `${d.client}_streams_held`, label: `${d.label}: streams held (of ${s.streams})`, unit: 'count', ...pair('hold', 'held') },
      { id: `${d.client}_rss_per_stream_bytes`, label: `${d.label}: RSS per stream`, unit: 'bytes', ...pair('hold', 'rssPerStreamBytes') },
      {
        id: `${d.client}_heap_per_stream_bytes`,
        label: `${d.label}: JS heap per stream`,
        unit: 'bytes',
        ...pair('hold', 'heapPerStreamBytes'),
      },
      {
        id: `${d.client}_events_per_sec_held`,
        label: `${d.label}: events/s, ${s.streams} streams × 1/s`,
        unit: 'events/s',
        ...pair('hold', 'eventsPerSec'),
      },
      {
        id: `${d.client}_delay_p99_ms`,
        label: `${d.label}: stamp-to-receive delay p99 (one-way, shared clock)`,
        unit: 'ms',
        ...pair('hold', 'delayP99Ms'),
      },
      {
        id: `${d.client}_events_per_sec_bulk`,
        label: `${d.label}: events/s, bulk ${s.bulkStreams} × ${s.bulkEvents}`,
        unit: 'events/s',
        ...pair('bulk', 'eventsPerSec'),
      },
    );
  }
  return {
    title,
    candidate: 'rtbench driver',
    baseline: 'bare node:http',
    baselineDescription: 'the bare node:http line splitter of bench/sse-clients-child.js',
    settings: s,
    figures,
    reps,
  };
}
