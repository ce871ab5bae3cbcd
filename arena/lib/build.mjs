/**
 * Builds the arena's servers with their own toolchains. A server whose toolchain is missing is
 * skipped with the reason; a build runs under a time limit into a scratch folder beside its
 * place in the cache (arena/lib/servers.mjs: outside the clone, one folder per input hash), which
 * is renamed into place only when the build succeeded, so a half-done build is never used. An
 * unchanged server is not built twice, in this clone or any other on the machine.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { ARENA_DIR, BUILDS, buildDir, cacheRoot, inputsHash } from './servers.mjs';

/** Lines of a failed build's log shown with the failure. */
const TAIL_LINES = 15;
/** Builds of other inputs kept per server (the newest), so the cache does not grow without bound. */
const KEEP_OLDER = 2;

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

const readJson = (path) => {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
};

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

/** Removes all but the newest KEEP_OLDER finished builds of a server besides `current`, and stale scratch folders. */
function prune(serverDir, current) {
  let entries = [];
  try {
    entries = readdirSync(serverDir);
  } catch {
    return;
  }
  const aged = (name) => ({ name, mtime: statSync(join(serverDir, name)).mtimeMs });
  const finished = entries.filter((e) => /^[0-9a-f]{16}$/.test(e) && e !== current).map(aged);
  finished.sort((a, b) => b.mtime - a.mtime);
  for (const old of finished.slice(KEEP_OLDER)) rmSync(join(serverDir, old.name), { recursive: true, force: true });
  // A scratch folder older than a day belongs to a build that was killed.
  for (const e of entries.filter((x) => x.includes('.partial-')).map(aged)) {
    if (Date.now() - e.mtime > 86_400_000) rmSync(join(serverDir, e.name), { recursive: true, force: true });
  }
}

/**
 * Builds one server unless its build of the same inputs is in the cache. A cached failure is
 * reported again as is unless `retryFailed` (the build command retries; the tests do not, so a
 * broken build costs its time once).
 * @returns {Promise<BuildOutcome>}
 */
export async function buildOne(spec, { timeoutMs, retryFailed }) {
  const name = spec.name;
  const missing = missingToolchain(spec);
  if (missing) return { name, status: 'skipped', detail: missing, tail: [] };
  if (spec.artifact === undefined) return { name, status: 'cached', detail: 'nothing to build', tail: [] };
  const hash = inputsHash(spec);
  const out = buildDir(spec);
  const serverDir = join(cacheRoot(), name);
  const failedPath = `${out}.failed.json`;
  const done = readJson(join(out, 'build.json'));
  if (done && existsSync(join(out, spec.artifact))) {
    return { name, status: 'cached', detail: `up to date in ${out} (built in ${done.seconds} s)`, tail: [] };
  }
  const lastFailure = readJson(failedPath);
  if (lastFailure && !retryFailed) {
    return {
      name,
      status: 'failed',
      detail: `${lastFailure.why} (cached result of the last build of these sources)`,
      tail: lastFailure.tail,
    };
  }
  mkdirSync(serverDir, { recursive: true });
  const scratch = `${out}.partial-${process.pid}`;
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  const shared = join(serverDir, 'shared');
  mkdirSync(shared, { recursive: true });
  const logPath = `${out}.log`;
  const logFd = openSync(logPath, 'w');
  const started = Date.now();
  const deadline = started + timeoutMs;
  const cwd = join(ARENA_DIR, name);
  const env = spec.env?.(scratch, shared) ?? {};
  let outcome = { ok: true, why: '' };
  for (const argv of spec.steps(scratch, shared)) {
    outcome = await runStep(argv, cwd, env, logFd, deadline);
    if (!outcome.ok) break;
  }
  closeSync(logFd);
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  const ok = outcome.ok && existsSync(join(scratch, spec.artifact));
  if (!ok) {
    rmSync(scratch, { recursive: true, force: true });
    const why = outcome.ok ? `${spec.artifact} missing after the build` : `${outcome.why} after ${seconds} s`;
    const tail = tailOf(logPath);
    writeFileSync(failedPath, `${JSON.stringify({ inputs: hash, why, tail, log: logPath }, null, 2)}\n`);
    return { name, status: 'failed', detail: `${why} (log: ${logPath})`, tail };
  }
  writeFileSync(join(scratch, 'build.json'), `${JSON.stringify({ inputs: hash, seconds, builtAt: new Date().toISOString() }, null, 2)}\n`);
  try {
    renameSync(scratch, out);
  } catch {
    // Another build of the same inputs finished first (its folder is complete): keep that one.
    rmSync(scratch, { recursive: true, force: true });
  }
  rmSync(failedPath, { force: true });
  prune(serverDir, hash);
  return { name, status: 'built', detail: `built in ${seconds} s into ${out}`, tail: [] };
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
