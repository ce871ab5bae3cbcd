/**
 * A target server rtbench starts itself (`--server 'CMD'`): the command runs through the shell
 * in a process group of its own, on a free loopback port when it names `{port}` (otherwise on
 * the port it prints), and rtbench waits until that port accepts before any load. Stopping
 * sends SIGTERM to the whole group, waits a grace period, then SIGKILLs what is left, so
 * nothing the command started outlives the run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';
import { ExitCode, RtbenchError } from '../errors.js';
import { groupAlive, treeListensOn } from '../proc.js';
import { canPin } from './cpu-pinning.js';
import { settleWithin, sleep } from '../waits.js';

/** How long a stopped server may take to exit on SIGTERM before its process group is killed. */
export const STOP_GRACE_MS = 3000;
/** Lines of the command's output kept for the error message when it fails to start. */
const TAIL_LINES = 5;
/** A port announced on the command's output: `127.0.0.1:8080`, `localhost:8080`, `port 8080`. */
const PRINTED_PORT = /(?:127\.0\.0\.1|localhost|0\.0\.0\.0|\[::1?\]|\bport)\D{0,3}(\d{2,5})\b/gi;

export interface LaunchOptions {
  command: string;
  /** How long the command has to accept connections. */
  readyTimeoutMs: number;
  /** CPUs to run the command on (`taskset -c`), when pinning is asked for and available. */
  cpus?: string;
  /** Where the command will listen, when it names no {port} and prints none (`--server-url`). */
  url?: string;
}

/** A server command that is running and accepting on `port`. */
export interface LaunchedServer {
  readonly command: string;
  readonly pid: number;
  readonly port: number;
  /** The command's process exited (the run is then over for it). */
  readonly exited: Promise<string>;
  /** Stops the whole process group; resolves when the command's process is gone. */
  stop(): Promise<void>;
}

/** The command never accepted connections, or died first: the run cannot be carried out (exit 3). */
export class LaunchError extends RtbenchError {
  constructor(message: string, tail: string[]) {
    super(tail.length ? `${message}; its last output:\n  ${tail.join('\n  ')}` : message, ExitCode.Unreachable);
  }
}

/** The port of a ws://, wss://, http:// or https:// URL, its scheme's default when it has none. */
function urlPort(url: string): number {
  const u = new URL(url);
  return u.port ? Number(u.port) : u.protocol === 'wss:' || u.protocol === 'https:' ? 443 : 80;
}

/** A free port on 127.0.0.1 (bound, then released for the command to take). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Starts `command` and resolves once its port accepts; rejects with a LaunchError otherwise. */
export async function launchServer(o: LaunchOptions): Promise<LaunchedServer> {
  const namedPort = o.command.includes('{port}') ? await freeLoopbackPort() : o.url ? urlPort(o.url) : undefined;
  const command = namedPort === undefined ? o.command : o.command.replaceAll('{port}', String(namedPort));
  // A group of its own (detached): the command's children are stopped with it.
  // stdin stays open (never written), as a terminal's would: some servers stop when it closes.
  const shell = ['/bin/sh', '-c', command];
  const argv = o.cpus !== undefined && canPin() ? ['taskset', '-c', o.cpus, ...shell] : shell;
  const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  // rtbench leaving at once (a second Ctrl-C) must not leave the server running.
  const killOnExit = (): void => signalGroup(child.pid!, 'SIGKILL');
  process.once('exit', killOnExit);
  const output = new OutputTail();
  /** Ports the command announced, in whole lines (a chunk may end inside a number). */
  const printed = new Set<number>();
  let partialLine = '';
  const onOutput = (chunk: Buffer): void => {
    const text = chunk.toString('utf8');
    output.add(text);
    if (namedPort !== undefined) return;
    const lines = (partialLine + text).split('\n');
    partialLine = lines.pop() ?? '';
    for (const line of lines) for (const m of line.matchAll(PRINTED_PORT)) printed.add(Number(m[1]));
  };
  child.stdout!.on('data', onOutput);
  child.stderr!.on('data', onOutput);
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ? `signal ${signal}` : `code ${code}`));
    child.once('error', (err) => resolve(err.message));
  });
  let exitReason: string | undefined;
  void exited.then((r) => (exitReason = r));
  const stop = async (): Promise<void> => {
    await stopGroup(child, exited);
    process.off('exit', killOnExit);
  };

  try {
    const deadline = Date.now() + o.readyTimeoutMs;
    for (;;) {
      if (exitReason !== undefined)
        throw new LaunchError(`server command '${o.command}' exited (${exitReason}) before it accepted connections`, output.lines());
      // The port the command was given, or one it printed that it really listens on (a debugger's
      // port or a log line naming another service is not the server).
      for (const port of namedPort !== undefined ? [namedPort] : [...printed]) {
        if (port < 1 || port > 65535 || !(await accepts(port))) continue;
        // Accepting is not enough: the listener must be the command's, not another program's.
        if (treeListensOn(child.pid!, port) !== false) return { command, pid: child.pid!, port, exited, stop };
      }
      if (Date.now() > deadline) {
        const port = namedPort ?? [...printed][0];
        const what =
          port === undefined
            ? 'printed no port and has no {port} in it'
            : (await accepts(port))
              ? `is not what listens on 127.0.0.1:${port} (another program holds the port)`
              : `did not accept connections on 127.0.0.1:${port}`;
        throw new LaunchError(`server command '${o.command}' ${what} within ${Math.round(o.readyTimeoutMs / 1000)} s`, output.lines());
      }
      await sleep(50);
    }
  } catch (err) {
    // Whatever went wrong, nothing of the command stays (a daemon's child, an orphan).
    await stop();
    throw err;
  }
}

/** True when 127.0.0.1:`port` accepts a TCP connection. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, timeout: 1000 });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * SIGTERM to the group, then SIGKILL to whatever of it is left after the grace period. Waits for
 * the group, not only the shell: the shell may exit on SIGTERM while the server it started is
 * still shutting down (or ignores the signal).
 */
async function stopGroup(child: ChildProcess, exited: Promise<string>): Promise<void> {
  const pgid = child.pid!;
  signalGroup(pgid, 'SIGTERM');
  const graceEnd = Date.now() + STOP_GRACE_MS;
  while (groupAlive(pgid) && Date.now() < graceEnd) await sleep(50);
  if (groupAlive(pgid)) signalGroup(pgid, 'SIGKILL');
  const killEnd = Date.now() + 1000;
  while (groupAlive(pgid) && Date.now() < killEnd) await sleep(20);
  await settleWithin(exited, 1000);
  // A grandchild that kept the pipes would otherwise keep this process's loop alive.
  child.stdin?.destroy();
  child.stdout?.destroy();
  child.stderr?.destroy();
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // The group is gone already.
  }
}

/** The last lines of a command's output, for an error message. */
class OutputTail {
  private text = '';

  add(chunk: string): void {
    this.text = (this.text + chunk).slice(-4096);
  }

  lines(): string[] {
    return this.text
      .split('\n')
      .map((l) => l.trimEnd())
      .filter(Boolean)
      .slice(-TAIL_LINES);
  }
}
