/**
 * Issue 18, the client's low items against real misbehaving peers on loopback: a `101` without
 * the upgrade headers is a handshake_protocol error; a text frame that is not UTF-8 fails its
 * connection with 1007 as invalid_utf8; generator processes whose runner is killed exit without
 * a stack trace.
 */
import { spawn } from 'node:child_process';
import { createServer as createNetServer, type Socket } from 'node:net';
import { readFileSync, readdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { runScenario } from '../../dist/runner/run-scenario.js';
import { BIN } from '../helpers/bin.js';
import { echoServerWith, listen, type TestServer } from '../helpers/misbehaving-servers.js';
import { isAlive } from '../helpers/processes.js';
import { echoScenario, planFrom } from '../helpers/run.js';

const closedLoop = echoScenario({ connections: 2, load: { model: 'closed', inFlight: 1 } });
const servers: TestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

describe('hostile WebSocket servers', () => {
  it('a 101 without Upgrade and Connection headers is handshake_protocol, not handshake_status_101', async () => {
    const sockets = new Set<Socket>();
    const server = createNetServer((socket) => {
      socket.on('error', () => {});
      socket.once('data', () => socket.write('HTTP/1.1 101 Switching Protocols\r\nContent-Length: 0\r\n\r\n'));
    });
    const s = await listen(server, sockets);
    servers.push(s);
    const { result, outcome } = await runScenario(planFrom(closedLoop, { target: s.url, durationMs: 300 }));
    expect(outcome).toBe('unreachable');
    expect(result.errors).toEqual({ handshake_protocol: 2 });
  });

  it('a text reply that is not UTF-8 fails the connection with 1007, counted as invalid_utf8', async () => {
    const seenCodes: number[] = [];
    const s = await echoServerWith(
      (ws) => {
        // ws does not check what it sends: the bytes go out as a text frame as they are.
        ws.send(Buffer.from([0x7b, 0xc3, 0x28, 0x7d]), { binary: false });
        return false;
      },
      { onConnection: (ws) => ws.on('close', (code) => seenCodes.push(code)) },
    );
    servers.push(s);
    const { result } = await runScenario(planFrom(closedLoop, { target: s.url, durationMs: 500 }));
    expect(result.errors).toEqual({ invalid_utf8: 2 });
    expect(result.counters.msgs_received).toBe(0);
    expect(seenCodes).toEqual([1007, 1007]);
  });
});

describe('generator processes whose runner dies', () => {
  it('exit within 2 s, quietly (no ERR_IPC_CHANNEL_CLOSED stack)', async () => {
    const run = spawn(
      process.execPath,
      [BIN, 'run', 'echo', '-w', '2', '-c', '4', '--rate', '200', '-d', '20s', '--warmup', '0', '-q', '--out', '-'],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    run.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const childrenOf = (pid: number): number[] =>
      readdirSync(`/proc/${pid}/task`).flatMap((t) =>
        readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number),
      );
    // Two generator processes and the embedded server, once the load runs.
    let kids: number[] = [];
    for (const until = performance.now() + 10_000; kids.length < 3 && performance.now() < until; ) {
      await new Promise((r) => setTimeout(r, 100));
      kids = childrenOf(run.pid!);
    }
    expect(kids.length).toBe(3);
    await new Promise((r) => setTimeout(r, 1000));
    run.kill('SIGKILL');
    await new Promise((r) => run.once('close', r));
    for (const until = performance.now() + 2000; kids.some(isAlive) && performance.now() < until; ) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(kids.filter(isAlive)).toEqual([]);
    expect(stderr).toBe('');
  });
});
