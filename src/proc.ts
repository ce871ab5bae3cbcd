/**
 * Reading processes from /proc (Linux): a process tree, and whether a process group or a port's
 * listener belongs to it. Used to sample a target server's cost, to stop a launched command's
 * whole group, and to pin a server's processes. Elsewhere these find nothing.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

const PAGE_BYTES = 4096;

/** One process as /proc describes it. */
export interface ProcStat {
  pid: number;
  ppid: number;
  cpuTicks: number;
  threads: number;
  rssBytes: number;
}

/** `pid` and all its descendants, from one pass over /proc. */
export function treeOf(pid: number): ProcStat[] {
  const all = new Map<number, ProcStat>();
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  for (const name of names) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue;
    const s = readStat(Number(name));
    if (s) all.set(s.pid, s);
  }
  if (!all.has(pid)) return [];
  const children = new Map<number, number[]>();
  for (const s of all.values()) {
    const list = children.get(s.ppid);
    if (list) list.push(s.pid);
    else children.set(s.ppid, [s.pid]);
  }
  const out: ProcStat[] = [];
  const stack = [pid];
  while (stack.length > 0) {
    const p = stack.pop()!;
    const s = all.get(p);
    if (!s) continue;
    s.rssBytes = vmRssBytes(p) ?? s.rssBytes;
    out.push(s);
    stack.push(...(children.get(p) ?? []));
  }
  return out;
}

/** One process's /proc/<pid>/stat, or undefined when it is gone or a zombie. */
export function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // After "pid (comm) ": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt
  // utime stime cutime cstime priority nice num_threads itrealvalue starttime vsize rss ...
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  if (f[0] === 'Z' || f[0] === 'X') return undefined;
  return {
    pid,
    ppid: Number(f[1]),
    cpuTicks: Number(f[11]) + Number(f[12]),
    threads: Number(f[17]),
    rssBytes: Number(f[21]) * PAGE_BYTES,
  };
}

/** Resident memory from /proc/<pid>/status (`VmRSS`, in kB): right whatever the page size. */
function vmRssBytes(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Socket inodes listening on TCP `port` (IPv4 and IPv6), from /proc/net/tcp and tcp6. */
function listeningInodes(port: number): Set<string> {
  const inodes = new Set<string>();
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
      const f = line.trim().split(/\s+/);
      if (f.length > 9 && f[3] === '0A' && f[1]!.endsWith(`:${hexPort}`)) inodes.add(f[9]!);
    }
  }
  return inodes;
}

/**
 * True when a process of `pid`'s tree holds the socket listening on `port`; undefined when /proc
 * cannot tell (not Linux).
 */
export function treeListensOn(pid: number, port: number): boolean | undefined {
  if (!readStat(pid)) return readdirSafe('/proc') === undefined ? undefined : false;
  const inodes = listeningInodes(port);
  let isUnsure = false;
  for (const p of treeOf(pid)) {
    const fds = readdirSafe(`/proc/${p.pid}/fd`);
    // Another user's process (sudo): its sockets cannot be read, so this cannot tell.
    if (fds === undefined) isUnsure = true;
    for (const fd of fds ?? []) {
      let link: string;
      try {
        link = readlinkSync(`/proc/${p.pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const m = /^socket:\[(\d+)\]$/.exec(link);
      if (m && inodes.has(m[1]!)) return true;
    }
  }
  return isUnsure ? undefined : false;
}

function readdirSafe(path: string): string[] | undefined {
  try {
    return readdirSync(path);
  } catch {
    return undefined;
  }
}

/**
 * True while a process of the group lives. A zombie does not count: an orphan that has exited
 * stays one until whatever adopted it reaps it, which in a container may be never. Linux reads
 * /proc; elsewhere signal 0 answers (zombies included).
 */
export function groupAlive(pgid: number): boolean {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  }
  for (const name of entries) {
    if (name.charCodeAt(0) < 48 || name.charCodeAt(0) > 57) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') return true;
  }
  return false;
}
