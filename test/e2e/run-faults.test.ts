/**
 * Each fault from docs/faults.md against a small real server that misbehaves one way, through
 * runScenario (error class, counts) and through the CLI (exit code, one-line message, result
 * file written).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runScenario } from '../../dist/runner/run-scenario.js';
import { echoServerWith, refusedUrl, silentServer, statusServer, type TestServer } from '../helpers/misbehaving-servers.js';
import { echoScenario, planFrom } from '../helpers/run.js';

const servers: TestServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function track(p: Promise<TestServer>): Promise<TestServer> {
  const s = await p;
  servers.push(s);
  return s;
}

const closedLoop = (connections: number) => echoScenario({ connections, load: { model: 'closed', inFlight: 1 } });

function runCli(args: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'rtbench-'));
  const out = join(dir, 'result.json');
  const r = spawnSync(process.execPath, ['bin/rtbench.js', 'run', ...args, '--out', out, '--quiet'], { encoding: 'utf8', timeout: 30_000 });
  return {
    status: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    out,
    result: existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : undefined,
  };
}

describe('connection faults', () => {
  it('refused: every attempt counted, outcome unreachable', async () => {
    const url = await refusedUrl();
    const { result, outcome } = await runScenario(planFrom(closedLoop(3), { target: url, durationMs: 500 }));
    expect(outcome).toBe('unreachable');
    expect(result.errors).toEqual({ connect_refused: 3 });
    expect(result.counters.connections_failed).toBe(3);
    expect(result.partial).toBe(true);
  });

  it('handshake never answered: handshake_timeout after the configured limit', async () => {
    const silent = await track(silentServer());
    const started = Date.now();
    const { result, outcome } = await runScenario(
      planFrom(closedLoop(2), { target: silent.url, durationMs: 500, handshakeTimeoutMs: 300 }),
    );
    expect(outcome).toBe('unreachable');
    expect(result.errors).toEqual({ handshake_timeout: 2 });
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('403 on upgrade: handshake_status_403', async () => {
    const forbidden = await track(statusServer(403));
    const { result } = await runScenario(planFrom(closedLoop(2), { target: forbidden.url, durationMs: 500 }));
    expect(result.errors).toEqual({ handshake_status_403: 2 });
    expect(result.counters.connections_opened).toBe(0);
  });

  it('close 1011 after K messages: closed_1011, the rest of the run ends as target_lost', async () => {
    const server = await track(
      echoServerWith((ws, _d, _b, n) => {
        if (n === 5) {
          ws.close(1011, 'boom');
          return false;
        }
      }),
    );
    const { result, outcome } = await runScenario(planFrom(closedLoop(2), { target: server.url, durationMs: 3000 }));
    expect(result.errors).toEqual({ closed_1011: 2 });
    expect(result.counters.msgs_received).toBe(8); // 4 echoed per connection, the 5th answered by the close
    expect(result.counters.msgs_lost).toBe(2);
    expect(outcome).toBe('target_lost');
    expect(result.durationMs).toBeLessThan(3000);
  });

  it('TCP dropped without a close frame: closed_1006, in-flight message lost', async () => {
    const server = await track(
      echoServerWith((ws, _d, _b, n) => {
        if (n === 3) {
          ws.terminate();
          return false;
        }
      }),
    );
    const { result } = await runScenario(planFrom(closedLoop(2), { target: server.url, durationMs: 1000 }));
    expect(result.errors).toEqual({ closed_1006: 2 });
    expect(result.counters.msgs_lost).toBe(2);
    expect(result.counters.msgs_received).toBe(4);
  });

  it('a message over --max-message fails that connection as too_large', async () => {
    const server = await track(
      echoServerWith((ws, data, _b, n) => {
        if (n === 2) {
          ws.send(Buffer.alloc(4096, 1));
          return false;
        }
        void data;
      }),
    );
    const { result } = await runScenario(planFrom(closedLoop(1), { target: server.url, durationMs: 1000, maxMessageBytes: 1024 }));
    expect(result.errors).toEqual({ too_large: 1 });
  });

  it('a server that drops TCP instead of answering our close (Hyperlane) is not an error', async () => {
    const server = await track(
      echoServerWith(() => undefined, {
        onConnection: (ws, socket) => {
          // Answer a close frame by cutting TCP, as Hyperlane does (docs/hyperlane-wire.md §1).
          ws.on('close', () => socket.destroy());
          (ws as unknown as { _receiver: { on(e: string, f: () => void): void } })._receiver.on('conclude', () => socket.destroy());
        },
      }),
    );
    const { result, outcome } = await runScenario(planFrom(closedLoop(2), { target: server.url, durationMs: 500 }));
    expect(outcome).toBe('completed');
    expect(result.errors).toEqual({});
    expect(result.counters.connections_closed).toBe(2);
  });

  it('reply timeout: a server that never answers loses messages as reply_timeout', async () => {
    const server = await track(echoServerWith(() => false));
    const { result } = await runScenario(planFrom(closedLoop(1), { target: server.url, durationMs: 1000, replyTimeoutMs: 200 }));
    expect(result.errors.reply_timeout).toBeGreaterThanOrEqual(3);
    expect(result.counters.msgs_lost).toBe(result.counters.msgs_sent);
  });

  it(
    'open loop against a server that never answers: the per-connection ' + 'bound gives up the oldest as outstanding_limit, nothing waits',
    async () => {
      const server = await track(echoServerWith(() => false));
      // 2 connections × 100/s × 1 s ≈ 200 sends, each connection keeps at most 20 awaiting a reply.
      const plan = planFrom(echoScenario({ connections: 2, load: { rate: 100 } }), {
        target: server.url,
        durationMs: 1000,
        maxOutstanding: 20,
        replyTimeoutMs: 200,
      });
      const { result } = await runScenario(plan);
      const c = result.counters;
      expect(c.msgs_sent).toBeGreaterThanOrEqual(190);
      expect(c.sends_waited_for_reply).toBe(0);
      // Every message is lost exactly once: to the bound, to the reply timeout, or at the drain.
      expect(c.msgs_lost).toBe(c.msgs_sent);
      expect(result.errors.outstanding_limit).toBeGreaterThan(0);
      // 20 per connection at 100/s is 200 ms of sends: the bound acts before the 200 ms timeout
      // (checked every 100 ms), so it takes nearly all of them.
      expect(result.errors.outstanding_limit! + (result.errors.reply_timeout ?? 0)).toBeLessThanOrEqual(c.msgs_lost);
      expect(result.errors.outstanding_limit!).toBeGreaterThan(c.msgs_sent * 0.5);
    },
  );

  it('a server that stops reading holds sends as sends_held_by_server, not as sends the generator missed', async () => {
    // It stops reading 200 ms in, for 1.5 s: 64 KiB sends at 200/s (12.5 MiB/s) fill the
    // kernel's socket buffers (a few MiB on loopback) and the 4 MiB client-side mark; once it
    // reads again, the sends due meanwhile leave at once, late because of the server.
    const stops = await track(
      echoServerWith(() => true, {
        onConnection: (_ws, socket) =>
          void setTimeout(() => {
            socket.pause();
            setTimeout(() => socket.resume(), 1500);
          }, 200),
      }),
    );
    const { result } = await runScenario(
      planFrom(echoScenario({ connections: 1, duration: '3s', load: { model: 'open', rate: 200 } }, { message: { size: 65_536 } }), {
        target: stops.url,
      }),
    );
    // The buffers fill in well under a second of the stall; the sends due in the rest of it
    // (over 100 at 200/s) and in the catch-up after it waited for the server. At most every
    // send from the stall's start to the end of the run (2.8 s at 200/s) can have waited.
    expect(result.counters.sends_held_by_server).toBeGreaterThan(100);
    expect(result.counters.sends_held_by_server).toBeLessThanOrEqual(560);
    // What the generator itself missed is what the 13 MB catch-up burst cost its event loop
    // (10–20 sends here, on a loaded machine), not the stall: before, every held send counted.
    const k = result.counters;
    expect(k.sends_missed, JSON.stringify(k)).toBeLessThan(k.sends_held_by_server / 5);
    expect(k.msgs_lost).toBe(0);
  });

  it('replies that come after the reply timeout count as late, not as duplicates', async () => {
    // Every reply 300 ms late, the reply timeout 100 ms: each message is given up, then answered.
    const server = await track(
      echoServerWith((ws, data, isBinary) => {
        setTimeout(() => ws.readyState === ws.OPEN && ws.send(data, { binary: isBinary }), 300);
        return false;
      }),
    );
    const plan = planFrom(echoScenario({ connections: 1, load: { rate: 20 } }), {
      target: server.url,
      durationMs: 1000,
      replyTimeoutMs: 100,
    });
    const { result } = await runScenario(plan);
    const c = result.counters;
    expect(c.msgs_sent).toBeGreaterThanOrEqual(18);
    // Lost to the timeout, or (the last one or two) still outstanding at the drain.
    expect(c.msgs_lost).toBe(c.msgs_sent);
    expect(result.errors.reply_timeout).toBeGreaterThanOrEqual(c.msgs_lost - 2);
    expect(c.msgs_duplicated).toBe(0);
    // Replies still on their way when the connection closed never come.
    expect(c.replies_late).toBeGreaterThanOrEqual(c.msgs_sent - 8);
    expect(c.replies_late).toBe(c.msgs_received);
    expect(result.metrics.latency?.count ?? 0).toBe(0);
  });
});

describe('CLI exit codes and the result file', () => {
  it('unreachable target: exit 3, one line on stderr, result written with partial: true', async () => {
    const url = await refusedUrl();
    const r = runCli(['echo', '--target', url, '-c', '2', '-d', '2s']);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/^rtbench: no connection to ws:\/\/127\.0\.0\.1:\d+\/ could be opened \(connect_refused 2\)$/m);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
    expect(r.result.partial).toBe(true);
    expect(r.result.errors).toEqual({ connect_refused: 2 });
  });

  it('--rate and --in-flight together: exit 2 before any socket opens', () => {
    const r = runCli(['echo', '--rate', '10', '--in-flight', '2']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(
      'rtbench: --rate and --in-flight exclude each other: --rate makes the run open loop, --in-flight closed loop',
    );
    expect(r.result).toBeUndefined();
  });

  it('bad flag values name the flag', () => {
    expect(runCli(['echo', '-d', 'soon']).stderr.trim()).toBe(
      'rtbench: --duration must be a duration such as 500ms, 10s or 2m (got "soon")',
    );
    expect(runCli(['echo', '-c', '-3']).status).toBe(2);
    expect(runCli(['echo', '--target', 'http://x/']).stderr).toContain('--target must use ws:// or wss:// for protocol "ws"');
  });

  it('Ctrl-C: exit 130 and a partial result', async () => {
    const { spawn } = await import('node:child_process');
    const dir = mkdtempSync(join(tmpdir(), 'rtbench-'));
    const out = join(dir, 'r.json');
    const child = spawn(process.execPath, ['bin/rtbench.js', 'run', 'echo', '-d', '30s', '--out', out, '--quiet'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    await new Promise((r) => setTimeout(r, 2500));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code).toBe(130);
    expect(stderr).toContain('interrupted');
    const result = JSON.parse(readFileSync(out, 'utf8'));
    expect(result.partial).toBe(true);
    expect(result.interruption).toMatch(/interrupted/);
    expect(result.counters.msgs_sent).toBeGreaterThan(0);
    expect(result.counters.msgs_received).toBe(result.counters.msgs_sent - result.counters.msgs_lost);
  });
});
