/**
 * What `rtbench run` does once its flags are parsed: flags → overrides → plan, the run itself,
 * the progress line, saving the result, the table or JSON, and the exit code.
 */
import os from 'node:os';
import { evaluateThresholds, parseThresholds } from '../compare/thresholds.js';
import { ExitCode, UsageError } from '../errors.js';
import { parseCpuList } from '../launch/cpu-pinning.js';
import { isGeneratorWarning } from '../metrics/aggregate.js';
import type { RunResult } from '../metrics/result.js';
import { REPORT_FORMATS } from '../report/formats.js';
import { reporters } from '../report/reporters.js';
import { loadScenario } from '../scenario/load.js';
import { resolvePlan, type RunOverrides } from '../scenario/resolve.js';
import { validateScenario } from '../scenario/validate.js';
import { runScenario, type Progress } from '../runner/run-scenario.js';
import { formatCount, formatDurationMs, formatUs } from '../units.js';
import { onInterrupt } from './interrupts.js';
import { countFlag, durationFlag, repeatedFlag, sizeFlag } from './options.js';
import { openFilesLimit } from '../open-files.js';
import { parseShard, shardFromEnv } from '../scenario/shard.js';
import { formatFlag } from './report-output.js';
import { checkOutputFile, checkOutputFolder, writeOutputFile } from './result-file.js';
import { redactValue } from '../redact.js';

/** Runs the scenario named in `args` and returns the exit code. */
export async function runAction(args: Record<string, unknown>): Promise<ExitCode> {
  const overrides = toOverrides(args);
  const positional = String(args.scenario ?? 'echo');
  const isUrl = /^(wss?|https?):\/\//.test(positional);
  if (isUrl && overrides.target) throw new UsageError('give the target once: as the positional URL or with --target');
  if (isUrl) overrides.target = positional;
  const scenarioName = isUrl ? (positional.startsWith('http') ? 'sse' : 'echo') : positional;
  const { source, raw } = loadScenario(scenarioName);
  const scenario = validateScenario(raw, source);
  const plan = resolvePlan(scenario, overrides, os.availableParallelism?.() ?? os.cpus().length, openFilesLimit());
  // Thresholds (scenario + --threshold) and the format are checked before any load starts:
  // a typo must cost a second, not a benchmark.
  const thresholds = parseThresholds(plan.scenario.thresholds);
  const format = formatFlag(args, REPORT_FORMATS, 'table');
  // So is where the result goes (`--out -` is stdout; yargs reads a lone `-` as '').
  const force = args.force === true;
  const outFlag = args.out === '' || args.out === '-' ? '-' : typeof args.out === 'string' ? args.out : undefined;
  if (outFlag === undefined) checkOutputFolder(DEFAULT_RESULT_FOLDER, 'the default result folder', true);
  else if (outFlag !== '-') checkOutputFile(outFlag, '--out', force);

  const controller = new AbortController();
  const releaseInterrupt = onInterrupt(() => {
    process.stderr.write(
      '\nrtbench: interrupted; finishing in-flight replies and writing the partial result (Ctrl-C again to quit at once)\n',
    );
    controller.abort();
  });

  const showProgress = !args.quiet && format !== 'json' && process.stderr.isTTY && !process.env.CI;
  const progress = showProgress ? progressLine : undefined;
  let output: Awaited<ReturnType<typeof runScenario>>;
  try {
    output = await runScenario(plan, { signal: controller.signal, onProgress: progress });
  } finally {
    releaseInterrupt();
    if (showProgress) process.stderr.write('\r\x1b[K');
  }
  const { result, outcome } = output;
  adviseOnGenerator(result);
  if (thresholds.length > 0) result.verdicts = evaluateThresholds(result, thresholds);

  // `--out -` sends the result document to stdout in place of the report.
  const file = outFlag ?? defaultResultPath(result);
  const color = args.color === undefined ? Boolean(process.stdout.isTTY) && !process.env.NO_COLOR : Boolean(args.color);
  if (file === '-') {
    process.stdout.write(reporters.json.render(result, { color: false }));
  } else {
    process.stdout.write(reporters[format].render(result, { color: format === 'table' && color }));
    const written = writeOutputFile(file, `${JSON.stringify(result, null, 2)}\n`, force);
    if (written === file) process.stderr.write(`rtbench: result written to ${file}\n`);
  }

  switch (outcome) {
    case 'completed': {
      // A failed threshold is exit 4 only for a run that completed: an interrupted,
      // unreachable or crashed run keeps its own code (130, 3, 1), which says more.
      const failed = (result.verdicts ?? []).filter((v) => !v.pass);
      for (const v of failed) {
        const actual = v.actual === null ? 'no value' : `actual ${v.actual}${v.unit}`;
        process.stderr.write(`rtbench: threshold failed: ${v.check} (${actual}${v.detail ? `; ${v.detail}` : ''})\n`);
      }
      return failed.length > 0 ? ExitCode.GateFailed : ExitCode.Ok;
    }
    case 'interrupted':
      return ExitCode.Interrupted;
    case 'unreachable':
    case 'target_lost':
      process.stderr.write(`rtbench: ${result.interruption}${errorSummary(result)}\n`);
      return ExitCode.Unreachable;
    case 'late':
      process.stderr.write(`rtbench: ${result.interruption}\n`);
      return ExitCode.Unreachable;
    case 'crashed':
      process.stderr.write(`rtbench: ${result.interruption}\n`);
      return ExitCode.Internal;
  }
}

function errorSummary(r: RunResult): string {
  const entries = Object.entries(r.errors);
  return entries.length ? ` (${entries.map(([k, v]) => `${k} ${v}`).join(', ')})` : '';
}

/** Where results go without `--out`. */
const DEFAULT_RESULT_FOLDER = 'reports';

function defaultResultPath(r: RunResult): string {
  const stamp = r.startedAt.replace(/[:.]/g, '-');
  return `${DEFAULT_RESULT_FOLDER}/${r.scenario.name.replace(/[^A-Za-z0-9._-]+/g, '_')}-${stamp}.json`;
}

function progressLine(p: Progress): void {
  const line =
    `${formatDurationMs(p.elapsedMs)}/${formatDurationMs(p.plannedMs)}  open ${formatCount(p.connectionsOpen)}  ` +
    `${formatCount(Math.round(p.msgsPerSec))} msg/s  p99 ${p.latencyP99Us > 0 ? formatUs(p.latencyP99Us) : '-'}  errors ${p.errors}`;
  process.stderr.write(`\r\x1b[K${line}`);
}

/** Reads every run flag, naming the flag in any error. */
export function toOverrides(a: Record<string, unknown>): RunOverrides {
  const o: RunOverrides = {};
  const has = (k: string) => a[k] !== undefined && a[k] !== null;
  if (has('connections')) o.connections = countFlag('connections', a.connections, { integer: true });
  if (has('connect-rate')) o.connectRatePerSec = positive('connect-rate', countFlag('connect-rate', a['connect-rate']));
  if (has('rate')) o.ratePerSec = positive('rate', countFlag('rate', a.rate));
  if (has('arrival')) o.arrival = a.arrival as 'uniform' | 'poisson';
  if (has('max-in-flight')) o.maxInFlight = countFlag('max-in-flight', a['max-in-flight'], { integer: true });
  if (a['request-response'] === true) {
    if (o.maxInFlight !== undefined && o.maxInFlight !== 1)
      throw new UsageError('--request-response means --max-in-flight 1; give one or the other');
    o.maxInFlight = 1;
  }
  if (has('in-flight')) o.inFlight = countFlag('in-flight', a['in-flight'], { integer: true, min: 1 });
  if (has('think-time')) o.thinkTimeMs = durationFlag('think-time', a['think-time']);
  if (has('duration')) o.durationMs = durationFlag('duration', a.duration, 's');
  if (has('warmup')) o.warmupMs = durationFlag('warmup', a.warmup, 's');
  if (has('size')) o.sizeBytes = sizeFlag('size', a.size);
  if (has('binary')) o.binary = Boolean(a.binary);
  if (has('workers')) o.workers = countFlag('workers', a.workers, { integer: true, min: 1 });
  if (has('target')) o.target = String(a.target);
  if (has('header')) o.headers = parseHeaders(repeatedFlag(a.header));
  if (has('subprotocol')) o.subprotocols = repeatedFlag(a.subprotocol);
  if (has('origin')) o.origin = String(a.origin);
  if (has('insecure')) o.insecure = Boolean(a.insecure);
  if (has('deflate')) o.deflate = Boolean(a.deflate);
  if (has('handshake-timeout'))
    o.handshakeTimeoutMs = positive('handshake-timeout', durationFlag('handshake-timeout', a['handshake-timeout']));
  if (has('reply-timeout')) o.replyTimeoutMs = positive('reply-timeout', durationFlag('reply-timeout', a['reply-timeout']));
  if (has('max-outstanding')) o.maxOutstanding = countFlag('max-outstanding', a['max-outstanding'], { integer: true, min: 1 });
  if (has('max-message')) o.maxMessageBytes = positive('max-message', sizeFlag('max-message', a['max-message']));
  if (has('reconnect')) o.reconnect = Boolean(a.reconnect);
  if (has('sse-client')) o.sseClient = a['sse-client'] as 'http' | 'eventsource';
  if (has('expect-replies')) o.expectReplies = countFlag('expect-replies', a['expect-replies'], { integer: true, min: 1 });
  if (has('skip-first')) o.skipFirst = countFlag('skip-first', a['skip-first'], { integer: true });
  if (has('server')) o.serverCommand = nonEmpty('server', a.server);
  const cpus = os.availableParallelism?.() ?? os.cpus().length;
  if (has('server-cpus')) o.serverCpus = parseCpuList('server-cpus', a['server-cpus'], cpus);
  if (has('client-cpus')) o.clientCpus = parseCpuList('client-cpus', a['client-cpus'], cpus);
  if (has('server-url')) o.serverUrl = String(a['server-url']);
  if (has('server-pid')) o.serverPid = countFlag('server-pid', a['server-pid'], { integer: true, min: 1 });
  if (has('server-ready-timeout'))
    o.serverReadyTimeoutMs = positive('server-ready-timeout', durationFlag('server-ready-timeout', a['server-ready-timeout'], 's'));
  if (has('echo-delay')) o.echoDelayMs = durationFlag('echo-delay', a['echo-delay']);
  if (a['echo-serial'] === true) {
    if (!(o.echoDelayMs! > 0))
      throw new UsageError('--echo-serial makes --echo-delay serial; give --echo-delay too (e.g. --echo-delay 5ms --echo-serial)');
    o.echoSerial = true;
  }
  if (has('server-profile')) o.serverProfile = a['server-profile'] as RunOverrides['serverProfile'];
  if (has('source-ips'))
    o.sourceIps = String(a['source-ips'])
      .split(',')
      .map((ip) => ip.trim())
      .filter(Boolean);
  if (has('threshold')) o.thresholds = repeatedFlag(a.threshold);
  if (has('shard') && a['shard-from-env'] === true) throw new UsageError('give --shard i/N or --shard-from-env, not both');
  if (has('shard')) o.shard = parseShard(String(a.shard));
  if (a['shard-from-env'] === true) o.shard = shardFromEnv(process.env);
  if (has('start-at')) o.startAtMs = parseStartAt(String(a['start-at']));
  if (o.echoDelayMs !== undefined && o.target !== undefined)
    throw new UsageError('--echo-delay applies to the embedded server only; it cannot slow down --target');
  return o;
}

/** `--start-at`: ISO 8601 with a time zone, or epoch milliseconds. */
export function parseStartAt(text: string): number {
  const t = text.trim();
  const ms = /^\d{12,}$/.test(t) ? Number(t) : /T.*(Z|[+-]\d\d:?\d\d)$/.test(t) ? Date.parse(t) : Number.NaN;
  if (!Number.isFinite(ms))
    throw new UsageError(
      `--start-at must be an ISO 8601 time with its zone (2026-12-07T10:00:00Z) or epoch milliseconds (got ${JSON.stringify(text)})`,
    );
  return ms;
}

function nonEmpty(flag: string, value: unknown): string {
  const text = String(value).trim();
  if (!text) throw new UsageError(`--${flag} needs a command, e.g. --${flag} 'node server.js --port {port}'`);
  return text;
}

function positive(flag: string, n: number): number {
  if (!(n > 0)) throw new UsageError(`--${flag} must be > 0 (got ${n})`);
  return n;
}

function parseHeaders(values: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of values) {
    const i = h.indexOf(':');
    // The text may be a token pasted without its name: shown only as its hash.
    if (i <= 0) throw new UsageError(`--header must look like 'Name: value' (got ${redactValue(h)})`);
    out[h.slice(0, i).trim()] = h.slice(i + 1).trim();
  }
  return out;
}

/**
 * What to do about a generator that fell behind names flags, so the CLI says it on stderr; the
 * result's warning states only the finding.
 */
export function adviseOnGenerator(r: RunResult): void {
  if (!r.health.warnings.some(isGeneratorWarning)) return;
  process.stderr.write(
    'rtbench: the generator fell behind (see generator health): add --workers, lower the load, ' +
      'or run the generator on more machines (rtbench merge joins the results)\n',
  );
}
