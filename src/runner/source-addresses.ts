/**
 * Spreading connections over source addresses. One source address reaches one server
 * address:port through at most the ephemeral port range (~28k ports by default on Linux), so
 * past that rtbench connects from several addresses. On loopback every 127.x.y.z is usable
 * without configuration; on real interfaces the user names the addresses (`--source-ips`).
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { UsageError } from '../errors.js';

/** Connections planned per source address: below the port range, with room for TIME_WAIT. */
const HEADROOM = 0.9;

/**
 * When connections are spread over addresses, rtbench picks each source port itself from
 * [10000, 32768), below Linux's ephemeral range: letting the kernel search for a free port per
 * bound address takes over half the machine's CPU at 100k connections (docs/architecture.md §11).
 */
export const LOCAL_PORT_FIRST = 10_000;
export const LOCAL_PORT_END = 32_768;

/** Where a worker's connections come from: addresses round robin, ports from its own block. */
export interface LocalEndpoints {
  addresses: string[];
  /** First port of this worker's block, and its size (0: the kernel picks ports). */
  portBase: number;
  portCount: number;
}

/** Splits the port block between workers so no two ever bind the same address and port. */
export function localEndpointsFor(addresses: string[], workerIndex: number, workers: number): LocalEndpoints {
  if (addresses.length < 2) return { addresses, portBase: 0, portCount: 0 };
  const block = Math.floor((LOCAL_PORT_END - LOCAL_PORT_FIRST) / workers);
  return { addresses, portBase: LOCAL_PORT_FIRST + workerIndex * block, portCount: block };
}

/** Size of the ephemeral port range (Linux), or the usual default elsewhere. */
export function ephemeralPortCount(): number {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low !== undefined && high !== undefined && high >= low) return high - low + 1;
  } catch {
    // not Linux: fall through
  }
  return 28_232;
}

/** True for 127.0.0.0/8, ::1 and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/**
 * The source addresses for a run: the user's list, or for a loopback IPv4 target as many
 * 127.0.0.x as the peak connection count needs (none when one address is enough, so the OS
 * picks as usual).
 */
export function sourceAddressesFor(
  targetUrls: string[],
  peakConnections: number,
  explicit: string[] | undefined,
  portCount = ephemeralPortCount(),
): string[] {
  if (explicit && explicit.length > 0) {
    for (const ip of explicit) {
      if (isIP(ip) === 0) throw new UsageError(`--source-ips: '${ip}' is not an IP address`);
    }
    const perAddress = Math.floor(portCount * HEADROOM);
    if (peakConnections > perAddress * explicit.length) {
      throw new UsageError(
        `${peakConnections} connections need ${Math.ceil(peakConnections / perAddress)} ` +
          `source addresses (about ${perAddress} each), --source-ips gives ${explicit.length}`,
      );
    }
    return explicit;
  }
  if (peakConnections <= Math.floor(portCount * HEADROOM)) return [];
  const perAddress = Math.floor(Math.min(portCount, LOCAL_PORT_END - LOCAL_PORT_FIRST) * HEADROOM);
  const needed = Math.ceil(peakConnections / perAddress);
  const hosts = new Set(targetUrls.map((u) => new URL(u).hostname));
  const allLoopbackV4 = [...hosts].every((h) => isLoopbackHost(h) && h !== '[::1]' && h !== '::1');
  if (!allLoopbackV4) {
    throw new UsageError(
      `${peakConnections} connections to one server port need ${needed} source addresses (one reaches about ${perAddress})`,
      'name them with --source-ips a.b.c.d,a.b.c.e (addresses of this machine), or spread the load over several machines (--shard)',
    );
  }
  return Array.from({ length: needed }, (_, i) => `127.0.0.${i + 1}`);
}
