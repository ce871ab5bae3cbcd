/**
 * Starts a load tool (rtbench, a bare client, Artillery, tcpkali) as a child process and
 * collects its output, so the benchmark can sample its process tree while it runs.
 */
import { spawn } from 'node:child_process';
import { track } from './children.js';
import { ROOT } from './server.js';

/**
 * Starts a Node script with this Node.
 * @param {string[]} args node arguments (script first)
 * @param {{ env?: Record<string, string>, timeoutMs?: number, cwd?: string }} [opts]
 * @returns {{ pid: number, done: Promise<{ code: number|null, signal: string|null, stdout: string, stderr: string }>, kill(): void }}
 */
export function startTool(args, opts = {}) {
  return startProgram(process.execPath, args, opts);
}

/**
 * Starts any executable (a native peer tool such as tcpkali) the same way as {@link startTool}.
 * @param {string} file the executable
 * @param {string[]} args its arguments
 * @param {{ env?: Record<string, string>, timeoutMs?: number, cwd?: string }} [opts]
 * @returns {{ pid: number, done: Promise<{ code: number|null, signal: string|null, stdout: string, stderr: string }>, kill(): void }}
 */
export function startProgram(file, args, opts = {}) {
  const child = track(
    spawn(file, args, {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c) => (stderr += c));
  const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : undefined;
  const done = new Promise((resolve) => {
    child.once('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    pid: child.pid,
    done,
    kill: (signal = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

/** Parses the last line of `stdout` that is a JSON document (tools may log before it). */
export function lastJson(stdout) {
  const text = stdout.trim();
  try {
    return JSON.parse(text);
  } catch {
    const lines = text.split('\n').reverse();
    for (const line of lines) {
      try {
        return JSON.parse(line);
      } catch {
        // not this line
      }
    }
    return undefined;
  }
}

/** Throws with the end of the tool's stderr when it failed. */
export function assertExited(name, r) {
  if (r.code !== 0) {
    const tail = (r.stderr || r.stdout)
      .trim()
      .slice(-3000)
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .join(' | ');
    throw new Error(`${name} exited with ${r.code ?? r.signal}: ${tail}`);
  }
}
