/**
 * Benchmark 7, find: `rtbench find` against servers of known capacity (bench/lib/find-truth.js),
 * with measured windows three times longer than the test suite's and two agreeing windows per
 * step. Each figure is the load the search says the server sustains against the known capacity
 * (the baseline): a serial echo's 1000/D messages per second per connection (target within
 * 10 %), and a server that holds N connections (target within 5 %).
 */
import { findConnectionCapacity, findRateCapacity, judgeFind } from './lib/find-truth.js';

export const title = 'Find: the knee rtbench finds against servers of known capacity';

export async function run(ctx) {
  const scale = ctx.smoke ? 1 : 3;
  const confirm = ctx.smoke ? 1 : 2;
  const cases = [
    { id: 'rate', label: 'serial echo, --vary rate (msgs/s per connection)', find: findRateCapacity },
    { id: 'connections', label: 'connection cap, --vary connections', find: findConnectionCapacity },
  ];
  const figures = [];
  const notes = [];
  for (const c of cases) {
    ctx.log(`find: ${c.label}`);
    const r = await c.find({ scale, confirm });
    const reasons = judgeFind(r);
    const a = r.result?.answer ?? {};
    figures.push({
      id: c.id,
      label: c.label,
      unit: c.id === 'rate' ? 'msgs/s' : 'connections',
      candidate: a.sustains ?? null,
      baseline: r.expected,
      ratio: typeof a.sustains === 'number' ? a.sustains / r.expected : null,
      ratioMin: null,
      ratioMax: null,
      reps: 1,
      target: { op: 'within', value: r.tolerance },
      steps: r.result?.steps.length ?? 0,
      breaksAt: a.breaksAt ?? null,
      pass: reasons.length === 0,
    });
    notes.push(`${c.id}: ${a.summary ?? `no answer (exit ${r.code})`}`);
    for (const why of reasons) notes.push(`FAILED ${c.id}: ${why}`);
  }
  return {
    title,
    candidate: 'sustained (found)',
    baseline: 'known capacity',
    baselineDescription: 'the capacity the server is built to have: 1000/D msgs/s per connection, or N connections',
    settings: { scale, confirm, windows: `${2 * scale + 0.5} s per window (0.5 s warm-up)` },
    figures,
    notes,
  };
}
