/**
 * The open-files limit of this process. Every connection is a file descriptor, in a generator
 * process and in a server process, so it caps what one process can hold: the runner spreads a
 * big run over enough generator processes, and a cluster worker stops accepting short of it.
 * Node raises the soft limit to the hard one at start, so the soft value read here is the real
 * ceiling.
 */
import { readFileSync } from 'node:fs';

/** The soft `RLIMIT_NOFILE` of this process; undefined when unlimited or unknown (not Linux). */
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
