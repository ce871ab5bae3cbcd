/**
 * Reading saved results for compare, gate, report and merge. A file holds either one run
 * (the RunResult document, docs/result-format.md) or several rounds of one target:
 *
 *   { "schemaVersion": 1, "kind": "rounds", "label": "node", "rounds": [RunResult, ...] }
 *
 * which `rtbench compare --target ...` writes per target. A file that is not one of these is
 * rejected with one line naming the file and what is wrong (exit 2), never half-read.
 */
import { redactDocument } from '../redact.js';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError, UsageError } from '../errors.js';
import { COUNTER_NAMES } from '../metrics/counters.js';
import { decodeHistogram } from '../metrics/histogram.js';
import { emptyHealth, READABLE_SCHEMA_VERSIONS, SCHEMA_VERSION, type RunResult } from '../metrics/result.js';

/** Several rounds of one scenario against one target. */
export interface RoundsFile {
  schemaVersion: typeof SCHEMA_VERSION;
  kind: 'rounds';
  label: string;
  rounds: RunResult[];
}

/** What one file on the command line contributed. */
export interface LoadedResults {
  path: string;
  /** `label=file` on the command line, or a rounds file's label. */
  label?: string;
  runs: RunResult[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads and validates a result or rounds file; throws a one-line UsageError/ConfigError (exit 2). */
export function readResultFile(path: string): LoadedResults {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EISDIR' ? 'is a directory' : e.message;
    throw new UsageError(`cannot read ${path}: ${why}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw unreadable(path, `not valid JSON (${(err as Error).message})`);
  }
  if (isObj(doc) && doc.kind === 'rounds') {
    const problems: string[] = [];
    if (!READABLE_SCHEMA_VERSIONS.includes(doc.schemaVersion as number)) problems.push(versionProblem(doc.schemaVersion));
    if (typeof doc.label !== 'string') problems.push('label must be a string');
    if (!Array.isArray(doc.rounds) || doc.rounds.length === 0) problems.push('rounds must be a non-empty list of results');
    else doc.rounds.forEach((r, i) => void problems.push(...runProblems(r, `rounds[${i}].`)));
    if (problems.length > 0) throw unreadable(path, problems);
    return { path, label: doc.label as string, runs: (doc.rounds as unknown[]).map(normalise) };
  }
  const problems = runProblems(doc, '');
  if (problems.length > 0) throw unreadable(path, problems);
  return { path, runs: [normalise(doc)] };
}

/** A rounds file's text (pretty JSON). */
export function roundsFileText(label: string, rounds: RunResult[]): string {
  const doc: RoundsFile = { schemaVersion: SCHEMA_VERSION, kind: 'rounds', label, rounds };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** Writes a rounds file, creating its folder (tests; the CLI writes through cli/result-file.ts). */
export function writeRoundsFile(path: string, label: string, rounds: RunResult[]): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, roundsFileText(label, rounds));
}

/** Every reason `value` is not a usable RunResult, with field paths under `prefix`. */
export function runProblems(value: unknown, prefix: string): string[] {
  if (!isObj(value)) return [`${prefix ? prefix.slice(0, -1) : 'the document'} is not a JSON object`];
  const p: string[] = [];
  const at = (field: string) => `${prefix}${field}`;
  if (!READABLE_SCHEMA_VERSIONS.includes(value.schemaVersion as number)) return [`${prefix}${versionProblem(value.schemaVersion)}`];
  const scenario = value.scenario;
  if (!isObj(scenario) || typeof scenario.name !== 'string') p.push(`${at('scenario.name')} is missing`);
  else if (!Array.isArray(scenario.phases)) p.push(`${at('scenario.phases')} is missing`);
  const target = value.target;
  if (!isObj(target) || typeof target.label !== 'string' || typeof target.url !== 'string') p.push(`${at('target')} needs url and label`);
  if (typeof value.startedAt !== 'string' || Number.isNaN(Date.parse(value.startedAt))) p.push(`${at('startedAt')} must be an ISO date`);
  for (const f of ['durationMs', 'measuredMs'])
    if (typeof value[f] !== 'number' || !((value[f] as number) >= 0)) p.push(`${at(f)} must be a number >= 0`);
  if (typeof value.partial !== 'boolean') p.push(`${at('partial')} must be true or false`);
  if (!isObj(value.metrics)) p.push(`${at('metrics')} is missing`);
  else {
    for (const [id, m] of Object.entries(value.metrics)) {
      if (!isObj(m) || typeof m.count !== 'number' || typeof m.histogram !== 'string') {
        p.push(`${at(`metrics.${id}`)} needs count and histogram`);
        continue;
      }
      try {
        const h = decodeHistogram(m.histogram);
        if (h.totalCount !== m.count) p.push(`${at(`metrics.${id}`)}: histogram holds ${h.totalCount} samples but count says ${m.count}`);
      } catch {
        p.push(`${at(`metrics.${id}.histogram`)} is not a compressed base64 HDR histogram`);
      }
    }
  }
  if (!isObj(value.counters) || Object.values(value.counters).some((v) => typeof v !== 'number'))
    p.push(`${at('counters')} must map names to numbers`);
  if (!isObj(value.errors) || Object.values(value.errors).some((v) => typeof v !== 'number'))
    p.push(`${at('errors')} must map classes to numbers`);
  if (!Array.isArray(value.timeseries)) p.push(`${at('timeseries')} must be a list`);
  return p;
}

/**
 * Fills what older or hand-trimmed files may lack and readers need: counters added since
 * (0, as docs/result-format.md §4 says for counters that do not apply), notes, health.
 */
function normalise(value: unknown): RunResult {
  // Files written before redaction existed are shown redacted too.
  const r = redactDocument(value as RunResult);
  // Version 1 is version 2 without the optional `server` section.
  r.schemaVersion = SCHEMA_VERSION;
  for (const n of COUNTER_NAMES) r.counters[n] ??= 0;
  r.notes ??= [];
  r.health ??= emptyHealth();
  r.health.warnings ??= [];
  r.environment ??= { node: 'unknown', os: 'unknown', cpu_model: 'unknown', cores: 0, hostname: 'unknown' };
  r.scenario.warmupMs ??= 0;
  return r;
}

function versionProblem(v: unknown): string {
  return v === undefined
    ? 'has no schemaVersion (not an rtbench result)'
    : `schemaVersion is ${JSON.stringify(v)}; this rtbench reads ${READABLE_SCHEMA_VERSIONS.join(' and ')}`;
}

function unreadable(path: string, problems: string | string[]): ConfigError {
  const list = typeof problems === 'string' ? [problems] : problems;
  const shown = list.slice(0, 3).join('; ') + (list.length > 3 ? `; and ${list.length - 3} more` : '');
  return new ConfigError(path, [{ path: '', message: `not a readable rtbench result: ${shown}` }]);
}
