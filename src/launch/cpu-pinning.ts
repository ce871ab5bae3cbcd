/**
 * Pinning the two sides of a run to separate CPUs (`--server-cpus 0 --client-cpus 1`), so the
 * server and the generator do not take turns on one core: with `taskset` where it exists
 * (util-linux). The generator pins its own process before it forks its workers, which inherit
 * it; a launched command starts under `taskset -c`; the embedded server's processes are pinned
 * once they run. Where `taskset` is missing, nothing is pinned and the report says so.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';

/** `0`, `0-1`, `0,2-3`: the list syntax of taskset -c and /proc's Cpus_allowed_list. */
const CPU_LIST = /^\d+(-\d+)?(,\d+(-\d+)?)*$/;

/**
 * Checks a CPU list flag against the CPUs this process may use (a container may allow 4-5
 * only); returns it normalised. `cpus` is the count to fall back on where /proc cannot tell.
 */
export function parseCpuList(flag: string, value: unknown, cpus: number): string {
  const text = String(value).replace(/\s+/g, '');
  if (!CPU_LIST.test(text)) throw new UsageError(`--${flag} must be a CPU list such as 0, 0-1 or 0,2 (got ${JSON.stringify(value)})`);
  const allowedList = ownAllowedList() ?? `0-${cpus - 1}`;
  const allowed = expand(allowedList);
  const outside = [...expand(text)].find((cpu) => !allowed.has(cpu));
  if (outside !== undefined) throw new UsageError(`--${flag} names CPU ${outside}, but rtbench may run on CPUs ${allowedList} only`);
  return text;
}

/** `0-2,5` as the set {0, 1, 2, 5}. */
function expand(list: string): Set<number> {
  const out = new Set<number>();
  for (const part of list.split(',')) {
    const [from, to = from] = part.split('-').map(Number);
    for (let c = from!; c <= to!; c++) out.add(c);
  }
  return out;
}

/** This process's Cpus_allowed_list (Linux), or undefined. */
function ownAllowedList(): string | undefined {
  try {
    return /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

let available: boolean | undefined;

/** True when `taskset` runs here. */
export function canPin(): boolean {
  available ??= spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0;
  return available;
}

/** Pins every thread of `pid` to `cpus`; false when it could not (the process is gone, no taskset). */
export function pinProcess(pid: number, cpus: string): boolean {
  if (!canPin()) return false;
  try {
    execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The CPUs `pid` may run on now, as a list (from /proc), to restore them later. */
export function allowedCpus(pid: number): string | undefined {
  try {
    const out = execFileSync('taskset', ['-c', '-p', String(pid)], { encoding: 'utf8' });
    return /:\s*([\d,-]+)\s*$/.exec(out.trim())?.[1];
  } catch {
    return undefined;
  }
}
