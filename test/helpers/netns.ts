/**
 * Simulated hosts for tests: Linux network namespaces on one bridge, each with its own
 * address (root only). Names are unique per call so parallel or leftover runs never collide,
 * and `remove` deletes every namespace made (a namespace takes its veth ends with it).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/** Why simulated hosts cannot be made here, or undefined when they can. */
export function netnsUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces are Linux only';
  if (process.getuid?.() !== 0) return 'creating network namespaces needs root';
  const probe = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) return `'ip netns' is not available (${probe.error?.message ?? probe.stderr.trim()})`;
  return undefined;
}

export interface SimulatedHosts {
  /** The server's namespace and its address on the bridge. */
  server: { ns: string; address: string };
  /** One per client host: its namespace and address. */
  clients: Array<{ ns: string; address: string }>;
  /** Deletes every namespace made so far; safe to call twice and after a failed set-up. */
  remove(): void;
}

/**
 * A server host and `clientCount` client hosts on `10.<subnet>.0.0/24`: a bridge in the
 * server's namespace, one veth pair from it to each client's namespace.
 */
export function makeSimulatedHosts(clientCount: number): SimulatedHosts {
  const id = `rtb${randomBytes(3).toString('hex')}`; // 9 characters: interface names stay under 15
  const subnet = 100 + (randomBytes(1)[0]! % 100);
  const made: string[] = [];
  const hosts: SimulatedHosts = {
    server: { ns: `${id}-srv`, address: `10.${subnet}.0.1` },
    clients: Array.from({ length: clientCount }, (_, k) => ({ ns: `${id}-c${k}`, address: `10.${subnet}.0.${11 + k}` })),
    remove() {
      while (made.length > 0) spawnSync('ip', ['netns', 'del', made.pop()!]);
    },
  };
  const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  try {
    const srv = hosts.server.ns;
    ip('netns', 'add', srv);
    made.push(srv);
    ip('-n', srv, 'link', 'set', 'lo', 'up');
    ip('-n', srv, 'link', 'add', `${id}br`, 'type', 'bridge');
    ip('-n', srv, 'addr', 'add', `${hosts.server.address}/24`, 'dev', `${id}br`);
    ip('-n', srv, 'link', 'set', `${id}br`, 'up');
    hosts.clients.forEach((c, k) => {
      ip('netns', 'add', c.ns);
      made.push(c.ns);
      ip('-n', c.ns, 'link', 'set', 'lo', 'up');
      ip('-n', srv, 'link', 'add', `${id}v${k}`, 'type', 'veth', 'peer', 'name', `${id}p${k}`, 'netns', c.ns);
      ip('-n', srv, 'link', 'set', `${id}v${k}`, 'master', `${id}br`);
      ip('-n', srv, 'link', 'set', `${id}v${k}`, 'up');
      ip('-n', c.ns, 'addr', 'add', `${c.address}/24`, 'dev', `${id}p${k}`);
      ip('-n', c.ns, 'link', 'set', `${id}p${k}`, 'up');
    });
  } catch (err) {
    hosts.remove();
    throw err;
  }
  return hosts;
}

/** Namespaces whose names start with `prefix` (to check that none is left behind). */
export function namespacesNamed(prefix: string): string[] {
  const out = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  return out
    .split('\n')
    .map((l) => l.split(' ')[0]!)
    .filter((n) => n.startsWith(prefix));
}
