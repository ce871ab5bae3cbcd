/** Runs the built CLI (bin/rtbench.js) in a child process and collects its output and exit code. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/rtbench.js', import.meta.url));

export interface BinResult {
  code: number | null;
  stdout: string;
  stderr: string;
  elapsedMs: number;
}

/** Runs `rtbench ...args` to completion (NO_COLOR, not a TTY, so output is plain). */
export function runBin(args: string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<BinResult> {
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', CI: '1' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
  return new Promise((resolve) =>
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, elapsedMs: performance.now() - started });
    }),
  );
}

/** A running `rtbench` child whose output is collected as it arrives. */
export interface BinProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code once the child has closed its output. */
  exited: Promise<number | null>;
}

/** Starts `rtbench ...args` without waiting for it, adding the child to `children` at once (for clean-up). */
export function startBin(args: string[], children: Set<ChildProcess>): BinProcess {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Polls the child's stdout every 20 ms until it matches `pattern` (or fails after `timeoutMs`, quoting stdout and stderr). */
export async function waitForOutput(run: BinProcess, pattern: RegExp, timeoutMs = 10_000): Promise<RegExpMatchArray> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const m = run.stdout().match(pattern);
    if (m) return m;
    if (performance.now() > until)
      throw new Error(`no ${pattern} in ${JSON.stringify(run.stdout())} (stderr ${JSON.stringify(run.stderr())})`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
