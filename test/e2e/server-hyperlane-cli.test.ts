/**
 * `rtbench serve --profile hyperlane` through the built bin: the ready lines name the profile,
 * the flags reach the server (idle drop, SSE burst on `/`), and bad or misplaced flags exit 2
 * with one line naming the flag.
 */
import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { startBin, waitForOutput } from '../helpers/bin.js';
import { rawExchange, splitHead } from '../helpers/raw-http.js';
import { rawWebSocket } from '../helpers/raw-ws.js';

const children = new Set<ChildProcess>();
afterEach(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  children.clear();
});

describe('rtbench serve --profile', () => {
  it('starts the hyperlane profile with an idle drop and a burst SSE on /', async () => {
    const run = startBin(
      ['serve', '--port', '0', '--profile', 'hyperlane', '--idle-drop', '300ms', '--sse-burst', '--broadcast-capacity', '16'],
      children,
    );
    const [, port] = await waitForOutput(run, /^rtbench serve ready on 127\.0\.0\.1:(\d+)$/m);
    expect(run.stdout()).toContain('profile hyperlane: no pong, TCP drop instead of close frames');
    expect(run.stdout()).toContain('idle clients dropped after 300ms');
    expect(run.stdout()).toContain('tokio broadcast, capacity 16 (holds 16); lagging receivers skip what they lost');
    expect(run.stdout()).toContain(`http://127.0.0.1:${port}/            10 events (data:i), in one burst, then close`);

    const { bytes } = await rawExchange(Number(port), 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    expect(splitHead(bytes).body.toString('latin1')).toBe(Array.from({ length: 10 }, (_, i) => `data:${i}\r\n\r\n`).join(''));

    const idle = await rawWebSocket(Number(port), '/websocket');
    const startedAt = performance.now();
    await idle.closed;
    expect(performance.now() - startedAt).toBeGreaterThanOrEqual(250);
    expect(idle.frames).toEqual([]);

    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
    expect(run.stdout()).toMatch(/rtbench serve stopped \(SIGINT\): 2 connections/);
    expect(run.stderr()).toBe('');
  });

  it('prints the README variant routes', async () => {
    const run = startBin(['serve', '--port', '0', '--profile', 'hyperlane-readme', '--lag-policy', 'disconnect'], children);
    await waitForOutput(run, /^rtbench serve ready on/m);
    expect(run.stdout()).toMatch(/\/websocket, \/ws {2}address first, then key \+ body per message/);
    expect(run.stdout()).toContain('lagging receivers are disconnected');
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
  });

  it.each([
    [['--profile', 'nginx'], '--profile must be one of strict, hyperlane, hyperlane-readme (got "nginx")'],
    [['--idle-drop', '3s'], '--idle-drop needs --profile hyperlane or hyperlane-readme (the strict profile has no such behaviour)'],
    [['--lag-policy', 'skip'], '--lag-policy needs --profile hyperlane or hyperlane-readme (the strict profile has no such behaviour)'],
    [['--profile', 'hyperlane', '--lag-policy', 'drop'], '--lag-policy must be one of skip, disconnect (got "drop")'],
    [
      ['--profile', 'hyperlane', '--broadcast-capacity', '0'],
      '--broadcast-capacity must be a whole number >= 1, such as 100 or 10k (got "0")',
    ],
    [['--sse-burst', '--sse-interval', '2s'], '--sse-burst sends the events back to back; drop --sse-interval (got "2s")'],
  ])('exits 2 naming the flag: %j', async (flags, message) => {
    const run = startBin(['serve', '--port', '0', ...flags], children);
    expect(await run.exited).toBe(2);
    expect(run.stderr()).toBe(`rtbench: ${message}\n`);
    expect(run.stdout()).toBe('');
  });
});
