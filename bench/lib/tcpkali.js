/**
 * tcpkali, the peers benchmark's native load generator (C, libev, one event loop per worker
 * thread), found on this machine or installed from Debian's package on first use, and started
 * in its WebSocket mode against the reference server's echo.
 *
 * Where it comes from: `$TCPKALI` (a path), else `tcpkali` on PATH, else, in a full run as root,
 * `apt-get install -y tcpkali` when apt has a candidate for it. Nothing else is downloaded or
 * built: Debian 12 (bookworm), 13 and sid carry no tcpkali package, binary or source, so on
 * this project's machines the row is skipped with that reason unless one is put there by hand.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { startProgram } from './tool.js';

const INSTALL_TIMEOUT_MS = 300_000;
const LOOKUP_TIMEOUT_MS = 30_000;

function isExecutable(file) {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The first executable `name` on PATH, or undefined. */
export function findOnPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** Runs a command with a time limit; resolves { code, stdout, stderr } (code null when it could not start or timed out). */
function run(file, args, timeoutMs) {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ code, stdout: stdout ?? '', stderr: stderr || (err && code === null ? err.message : '') });
    });
  });
}

/** "1.2.0" from `tcpkali --version` ("tcpkali version 1.2.0 (libev, ssl)"), or null. */
async function versionOf(bin) {
  const r = await run(bin, ['--version'], LOOKUP_TIMEOUT_MS);
  return /version\s+(\d+\.\d+(?:\.\d+)?)/.exec(`${r.stdout}\n${r.stderr}`)?.[1] ?? null;
}

/** apt's candidate version of `pkg`, or null when apt knows no such package (or apt is missing). */
async function aptCandidate(pkg) {
  if (!findOnPath('apt-cache')) return null;
  const r = await run('apt-cache', ['policy', pkg], LOOKUP_TIMEOUT_MS);
  const m = /Candidate:\s*(\S+)/.exec(r.stdout);
  return m && m[1] !== '(none)' ? m[1] : null;
}

/**
 * Finds tcpkali, installing Debian's package on first use of a full run when apt has one.
 * @param {{ smoke: boolean, log(msg: string): void }} ctx
 * @returns {Promise<{ bin?: string, version?: string|null, skipped?: string }>} `bin` when found, else why not
 */
export async function locateTcpkali(ctx) {
  const explicit = process.env.TCPKALI;
  if (explicit) {
    return isExecutable(explicit)
      ? { bin: explicit, version: await versionOf(explicit) }
      : { skipped: `TCPKALI=${explicit} is not an executable file` };
  }
  const onPath = findOnPath('tcpkali');
  if (onPath) return { bin: onPath, version: await versionOf(onPath) };
  if (ctx.smoke) return { skipped: 'tcpkali is not on PATH and --smoke installs nothing' };
  const candidate = await aptCandidate('tcpkali');
  if (!candidate) {
    return {
      skipped:
        'tcpkali is not on PATH and apt has no tcpkali package here (Debian 12, 13 and sid carry none, binary or source); put one on PATH or set TCPKALI=/path/to/tcpkali to include it',
    };
  }
  if (process.getuid?.() !== 0) return { skipped: `tcpkali is not on PATH; apt has ${candidate}, but installing it needs root` };
  ctx.log(`installing tcpkali ${candidate} with apt-get (first use)`);
  const r = await run('apt-get', ['install', '-y', '--no-install-recommends', 'tcpkali'], INSTALL_TIMEOUT_MS);
  const bin = findOnPath('tcpkali');
  if (r.code !== 0 || !bin) {
    const why = r.code === null ? `did not finish in ${INSTALL_TIMEOUT_MS / 1000} s` : `exited with ${r.code}`;
    return { skipped: `apt-get install tcpkali ${why}: ${r.stderr.trim().split('\n').slice(-1)[0] ?? ''}`.trim() };
  }
  return { bin, version: await versionOf(bin) };
}

/**
 * Starts tcpkali's WebSocket mode against `ws://127.0.0.1:PORT/PATH`: `connections` connections,
 * each sending the same `sizeBytes`-byte text frame over and over, as fast as the socket takes
 * it (no `ratePerConnection`) or at `ratePerConnection` messages per second. tcpkali never waits
 * for a reply: it reads the echoes and discards them, so its depth is whatever the socket holds.
 * It runs for `runMs` after its connections are open (plus a margin for the ramp).
 * @param {string} bin
 * @param {string} url ws://host:port/path
 * @param {{ connections: number, sizeBytes: number, ratePerConnection?: number }} load
 * @param {number} runMs
 */
export function startTcpkali(bin, url, load, runMs) {
  const { host, pathname } = new URL(url);
  const durationS = Math.ceil(runMs / 1000) + 2;
  return startProgram(
    bin,
    [
      '--websocket',
      '--connections',
      String(load.connections),
      '--connect-rate',
      String(Math.max(100, load.connections * 10)),
      '--message',
      'x'.repeat(load.sizeBytes),
      ...(load.ratePerConnection === undefined ? [] : ['--message-rate', String(load.ratePerConnection)]),
      '--duration',
      `${durationS}s`,
      `${host}${pathname}`,
    ],
    { timeoutMs: durationS * 1000 + 60_000 },
  );
}
