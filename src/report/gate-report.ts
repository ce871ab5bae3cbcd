/**
 * The gate's verdict table, in the formats a gate is read in: the terminal (`table`), a pull
 * request (`md`) and machines (`json`). One row per check: baseline, current, change, limit,
 * result. Pure: returns a string.
 */
import Table from 'cli-table3';
import { describeChange, type GateCheckResult } from '../compare/gate.js';
import { formatSpread } from '../compare/quantity.js';
import { SCHEMA_VERSION } from '../metrics/result.js';
import { ansi, tableStyle } from './ansi.js';
import type { GATE_FORMATS } from './formats.js';
import { escapeMdText, mdCode, mdTable } from './md-table.js';

/** What the gate compared, for the heading. */
export interface GateReport {
  scenario: string;
  baselineRounds: number;
  currentRounds: number;
  checks: GateCheckResult[];
}

const STATUS_TEXT: Record<GateCheckResult['status'], string> = {
  pass: 'pass',
  improved: 'pass (improved)',
  within_noise: 'pass (within noise)',
  regression: 'FAIL (regression)',
  no_data: 'FAIL (no data)',
};

/** Renders the gate report in one of the gate formats. */
export function renderGate(report: GateReport, format: (typeof GATE_FORMATS)[number], color: boolean): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(
        { schemaVersion: SCHEMA_VERSION, kind: 'gate', ...report, pass: report.checks.every((c) => c.pass) },
        null,
        2,
      )}\n`;
    case 'md':
      return gateMd(report);
    case 'table':
      return gateTable(report, color);
  }
}

function cells(c: GateCheckResult): string[] {
  const change = c.change === null ? '-' : describeChange(c.change, c.changeFraction, c.kind);
  return [c.key, formatSpread(c.baseline, c.kind), formatSpread(c.current, c.kind), change, c.tolerance];
}

function heading(r: GateReport): string {
  const rounds = (n: number) => `${n} round${n === 1 ? '' : 's'}`;
  return `rtbench gate · ${r.scenario} · baseline ${rounds(r.baselineRounds)}, current ${rounds(r.currentRounds)}`;
}

function gateTable(r: GateReport, color: boolean): string {
  const col = ansi(color);
  const table = new Table({
    head: ['check', 'baseline', 'current', 'change', 'limit', 'result'],
    style: tableStyle(color),
    colAligns: ['left', 'right', 'right', 'right', 'right', 'left'],
  });
  for (const c of r.checks) {
    const status = STATUS_TEXT[c.status];
    table.push([...cells(c), c.pass ? (c.status === 'within_noise' ? col.yellow(status) : col.green(status)) : col.red(status)]);
  }
  const lines = [col.bold(heading(r)), table.toString(), ...r.checks.map((c) => `${c.pass ? '✓' : '✗'} ${c.check}: ${c.detail}`)];
  const failed = r.checks.filter((c) => !c.pass).length;
  lines.push(failed ? col.red(`gate failed: ${failed} of ${r.checks.length} checks`) : col.green(`gate passed: ${r.checks.length} checks`));
  return `${lines.join('\n')}\n`;
}

function gateMd(r: GateReport): string {
  const rows = r.checks.map((c) => [
    ...cells(c).map((x, i) => (i === 0 ? mdCode(x) : x)),
    `${c.pass ? '✅' : '❌'} ${STATUS_TEXT[c.status]}`,
  ]);
  const failed = r.checks.filter((c) => !c.pass).length;
  return [
    `### ${escapeMdText(heading(r))}`,
    '',
    mdTable(['check', 'baseline', 'current', 'change', 'limit', 'result'], ['l', 'r', 'r', 'r', 'r', 'l'], rows),
    '',
    ...r.checks.map((c) => `- ${mdCode(c.check)}: ${escapeMdText(c.detail)}`),
    '',
    failed ? `**Gate failed: ${failed} of ${r.checks.length} checks.**` : `**Gate passed: ${r.checks.length} checks.**`,
    '',
  ].join('\n');
}
