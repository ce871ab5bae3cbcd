/**
 * Builds the arena's servers with their own toolchains. A server whose toolchain is missing is
 * skipped with the reason; a build runs under a time limit with its output in
 * arena/<name>/build.log; the result is kept in arena/<name>/.build-result.json beside a hash of
 * the build's inputs, so an unchanged server is not built twice (a second run is fast).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ARENA_DIR, BUILDS } from './servers.mjs';

/** Lines of a failed build's log shown with the failure. */
const TAIL_LINES = 15;

/**
 * @typedef {object} BuildOutcome
 * @property {string} name
 * @property {'built' | 'cached' | 'skipped' | 'failed'} status
 * @property {string} detail  one line: the time taken, or why it was skipped or failed
 * @property {string[]} tail  last lines of the build log when it failed
 */

/** The first toolchain check that fails, as a reason; undefined when all pass. */
export function missingToolchain(spec) {
  for (const argv of spec.toolchain) {
    const r = spawnSync(argv[0], argv.slice(1), { cwd: join(ARENA_DIR, spec.name), stdio: 'ignore', timeout: 60_000 });
    if (r.error || r.status !== 0) return `${argv[0]} not usable: needs ${spec.needs}`;
  }
  return undefined;
}

/** Hash of the build's inputs and the toolchain's version output: a change of either rebuilds. */
function inputsHash(spec) {
  const hash = createHash('sha256');
  const add = (path) => {
    if (statSync(path).isDirectory()) for (const entry of readdirSync(path).sort()) add(join(path, entry));
    else hash.update(path).update(readFileSync(path));
  };
  const dir = join(ARENA_DIR, spec.name);
  for (const input of spec.inputs) add(join(dir, input));
  for (const argv of spec.toolchain) {
    const r = spawnSync(argv[0], argv.slice(1), { cwd: dir, encoding: 'utf8' });
    hash.update(`${r.stdout}${r.stderr}`);
  }
  return hash.digest('hex');
}

const resultPath = (spec) => join(ARENA_DIR, spec.name, '.build-result.json');

function readResult(spec) {
  try {
    return JSON.parse(readFileSync(resultPath(spec), 'utf8'));
  } catch {
    return undefined;
  }
}

/** Runs one command in its own process group, output appended to `logFd`; kills the group at the deadline. */
function runStep(argv, cwd, env, logFd, deadline) {
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { cwd, env: { ...process.env, ...env }, stdio: ['ignore', logFd, logFd], detached: true });
    const timer = setTimeout(
      () => {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {}
        resolve({ ok: false, why: 'timed out' });
      },
      Math.max(0, deadline - Date.now()),
    );
    child.once('error', (err) => {
      clearTimeout(timer);
      resolve({ ok: false, why: err.message });
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code === 0 ? { ok: true } : { ok: false, why: signal ? `killed by ${signal}` : `exit ${code}` });
    });
  });
}

function tailOf(path) {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-TAIL_LINES);
  } catch {
    return [];
  }
}

/**
 * Builds one server unless its last build of the same inputs is there. A cached failure is
 * reported again as is unless `retryFailed` (the build command retries; the tests do not, so a
 * broken build costs its time once).
 * @returns {Promise<BuildOutcome>}
 */
export async function buildOne(spec, { timeoutMs, retryFailed }) {
  const name = spec.name;
  const missing = missingToolchain(spec);
  if (missing) return { name, status: 'skipped', detail: missing, tail: [] };
  if (spec.artifact === undefined) return { name, status: 'cached', detail: 'nothing to build', tail: [] };
  const dir = join(ARENA_DIR, name);
  const inputs = inputsHash(spec);
  const last = readResult(spec);
  if (last?.inputs === inputs && (last.ok ? existsSync(join(dir, spec.artifact)) : !retryFailed)) {
    return last.ok
      ? { name, status: 'cached', detail: `up to date (built in ${last.seconds} s)`, tail: [] }
      : { name, status: 'failed', detail: `${last.why} (cached result of the last build of these sources)`, tail: last.tail };
  }
  const logPath = join(dir, 'build.log');
  const logFd = openSync(logPath, 'w');
  const started = Date.now();
  const deadline = started + timeoutMs;
  let outcome = { ok: true, why: '' };
  for (const argv of spec.steps) {
    outcome = await runStep(argv, dir, spec.env ?? {}, logFd, deadline);
    if (!outcome.ok) break;
  }
  closeSync(logFd);
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  const ok = outcome.ok && existsSync(join(dir, spec.artifact));
  const why = outcome.ok ? `${spec.artifact} missing after the build` : `${outcome.why} after ${seconds} s`;
  const tail = ok ? [] : tailOf(logPath);
  writeFileSync(resultPath(spec), `${JSON.stringify({ inputs, ok, seconds, why, tail }, null, 2)}\n`);
  return ok ? { name, status: 'built', detail: `built in ${seconds} s`, tail } : { name, status: 'failed', detail: why, tail };
}

/** Builds every server (or those named in `options.only`) one after another: on 2 cores parallel builds only slow each other. */
export async function buildAll(options, onOutcome) {
  const outcomes = [];
  for (const spec of BUILDS) {
    if (options.only && !options.only.has(spec.name)) continue;
    const outcome = await buildOne(spec, options);
    onOutcome?.(outcome);
    outcomes.push(outcome);
  }
  return outcomes;
}

/** One line (plus a failed build's log tail) for a build outcome. */
export function formatOutcome(o) {
  const head = `arena build: ${o.name.padEnd(10)} ${o.status === 'skipped' ? `skipped: ${o.detail}` : o.status === 'failed' ? `FAILED: ${o.detail}` : o.detail}`;
  return o.tail.length ? `${head}\n${o.tail.map((l) => `    ${l}`).join('\n')}` : head;
}
