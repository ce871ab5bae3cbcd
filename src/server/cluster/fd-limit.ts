/**
 * The open-files limit of this process, which caps the sockets one server process can hold.
 * Node raises its soft limit to the hard one at start, so the soft value read here is the real
 * ceiling. Linux only (`/proc/self/limits`); elsewhere it is unknown.
 */
import { readFileSync } from 'node:fs';

/** The soft `RLIMIT_NOFILE` of this process, or `undefined` when unknown or unlimited. */
export function openFilesLimit(): number | undefined {
  let text: string;
  try {
    text = readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return undefined;
  }
  // "Max open files            20000                20000                files"
  const m = /^Max open files\s+(\d+|unlimited)\s/m.exec(text);
  if (!m || m[1] === 'unlimited') return undefined;
  return Number(m[1]);
}
