/**
 * Benchmark 6, truth: the test suite's truth matrix (bench/lib/truth.js) with measured windows
 * five times longer. Every echo cell against rtbench's reference server and against an
 * independent server (test/fixtures/truth-server.mjs), then SSE push and fan-out latency at a
 * known publish-to-write delay. Each figure is the measured p50 against its baseline from the
 * same invocation, D + the floor (the same setup at D = 0); the target is the pass rule's upper
 * bound, max(5 %, 0.3 ms) above it. A cell also needs min ≥ D, nothing lost and, in the
 * default open model, no send held back; a cell that misses any of it is named in the notes.
 */
import { cellName, runEchoMatrix, runPushMatrix } from './lib/truth.js';

const SCALE = { full: 5, smoke: 1 };

export const title = 'Truth: measured p50 against known server delays (D + floor at D = 0)';

export async function run(ctx) {
  const scale = ctx.smoke ? SCALE.smoke : SCALE.full;
  const log = (msg) => ctx.log(`truth: ${msg}`);
  // Smoke: one server, one connection, D = 0 and 20 ms, only to keep the script working.
  const narrow = ctx.smoke ? { delays: [0, 20], connections: [1] } : {};
  const rows = [];
  for (const kind of ctx.smoke ? ['independent'] : ['reference', 'independent']) {
    for (const r of await runEchoMatrix(kind, { scale, log, ...narrow })) rows.push({ label: `${kind}: ${cellName(r.cell)}`, ...r });
  }
  for (const r of await runPushMatrix({ scale, log, ...(ctx.smoke ? { delays: [20] } : {}) }))
    rows.push({ label: `independent: ${r.name}, D=${r.delayMs}ms`, ...r });
  const figures = rows.map((r, i) => ({
    id: `cell_${i}`,
    label: r.label,
    unit: 'ms',
    candidate: r.summary.p50Us / 1000,
    baseline: r.verdict.expectedUs / 1000,
    ratio: r.summary.p50Us / r.verdict.expectedUs,
    ratioMin: null,
    ratioMax: null,
    reps: 1,
    target: { op: '<=', value: (r.verdict.expectedUs + r.verdict.toleranceUs) / r.verdict.expectedUs },
    min: r.summary.minUs / 1000,
    samples: r.summary.count,
    pass: r.verdict.ok,
  }));
  const failed = rows.filter((r) => !r.verdict.ok);
  return {
    title,
    candidate: 'p50 measured',
    baseline: 'D + floor',
    baselineDescription: 'per row: the known delay D plus the p50 of the same setup at D = 0, measured in this invocation',
    settings: { scale, windows: 'warm-up 200 ms × scale; measured 600 ms (D ≤ 1 ms), 1 s (20 ms), 1.6 s (200 ms) × scale' },
    figures,
    notes: [
      `${rows.filter((r) => r.delayMs !== 0 && r.cell?.delayMs !== 0 && r.verdict.ok).length} ` +
        `of ${rows.filter((r) => r.delayMs !== 0 && r.cell?.delayMs !== 0).length} cells with D > 0 pass the whole rule (p50 band, ` +
        `min ≥ D, nothing lost, no held sends); the D = 0 cells are their floors, checked for losses and held sends`,
      ...failed.map((r) => `FAILED ${r.label}: ${r.verdict.reasons.join('; ')}`),
    ],
  };
}
