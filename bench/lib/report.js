/**
 * Turns a benchmark's result into a cli-table3 table (the terminal) and a JSON document
 * (reports/bench/), and nothing else: benchmarks return data, run.js decides where it goes.
 */
import Table from 'cli-table3';

const KIB = 1024;
const MIB = 1024 * 1024;

/** Formats a value in its unit for the table. */
export function formatValue(value, unit) {
  if (value === null || value === undefined) return '–';
  switch (unit) {
    case 'bytes':
      return value >= MIB ? `${(value / MIB).toFixed(1)} MiB` : `${(value / KIB).toFixed(1)} KiB`;
    case 'msgs/s':
    case 'events/s':
    case 'conn/s':
      return value >= 10_000 ? `${(value / 1000).toFixed(1)}k` : value.toFixed(0);
    case '%':
      return `${value.toFixed(1)} %`;
    case 'µs':
    case 'ms':
    case 'ns':
      return `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ${unit}`;
    default:
      return Number.isInteger(value) ? String(value) : value.toFixed(2);
  }
}

function formatRatio(f) {
  if (f.ratio === null || f.ratio === undefined) return '–';
  const range = f.reps > 1 && f.ratioMin !== null ? ` (${f.ratioMin.toFixed(2)}–${f.ratioMax.toFixed(2)})` : '';
  return `${f.ratio.toFixed(2)}×${range}`;
}

function formatTarget(f) {
  if (!f.target) return '';
  const verdict = f.meets === true ? 'met' : f.meets === false ? 'MISSED' : '?';
  if (f.target.op === 'within') return `1× ± ${Number((f.target.value * 100).toFixed(1))} % ${verdict}`;
  return `${f.target.op} ${Number(f.target.value.toFixed(2))}× ${verdict}`;
}

/** The table of one benchmark's figures: candidate, baseline, median ratio with its range, target. */
export function renderTable(result) {
  const table = new Table({
    head: ['figure', result.candidate ?? 'rtbench', result.baseline ?? 'baseline', 'ratio (min–max)', 'target'],
    style: { head: [], border: [] },
  });
  for (const f of result.figures) {
    table.push([f.label, formatValue(f.candidate, f.unit), formatValue(f.baseline, f.unit), formatRatio(f), formatTarget(f)]);
  }
  return table.toString();
}

/** "bin/rtbench.js 62.0 MiB 3 % CPU + worker/entry.js 80.1 MiB 95 % CPU": a tree by process, for notes. */
export function describeProcesses(processes) {
  return (processes ?? [])
    .map((p) => `${p.label} ${formatValue(p.rssBytes, 'bytes')}${p.cpuPercent === undefined ? '' : ` ${p.cpuPercent.toFixed(0)} % CPU`}`)
    .join(' + ');
}

/** One row per figure that has a target, across every benchmark that ran (a figure that names its `peer` says it in its label). */
export function renderTargets(results) {
  const table = new Table({ head: ['benchmark', 'figure', 'ratio', 'target'], style: { head: [], border: [] } });
  for (const [name, result] of Object.entries(results)) {
    for (const f of result.figures.filter((x) => x.target))
      table.push([name, f.peer ? f.label : `${f.label} vs ${result.baseline}`, formatRatio(f), formatTarget(f)]);
  }
  return table.length > 0 ? table.toString() : '(no benchmark with a target ran)';
}
