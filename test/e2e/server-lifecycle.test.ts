/**
 * Starting and stopping the reference server: shutdown closes clients with 1001 and ends
 * streams within 2 s (even with a client that never reads), and a taken port is a usage error.
 */
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ExitCode, UsageError } from '../../dist/errors.js';
import { startReferenceServer } from '../../dist/server/reference-server.js';
import type { RunningServer } from '../../dist/server/running-server.js';
import { connectTcp, readUntil, stalledWebSocketClient } from '../helpers/raw-http.js';

const servers = new Set<RunningServer>();
const sockets = new Set<Socket>();
const clients = new Set<WebSocket>();

afterEach(async () => {
  for (const ws of clients) ws.terminate();
  clients.clear();
  for (const s of sockets) s.destroy();
  sockets.clear();
  await Promise.all([...servers].map((s) => s.close()));
  servers.clear();
});

async function start(opts: Parameters<typeof startReferenceServer>[0] = {}): Promise<RunningServer> {
  const server = await startReferenceServer({ port: 0, ...opts });
  servers.add(server);
  return server;
}

function openClient(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    clients.add(ws);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

describe('reference server lifecycle', () => {
  it('reports host, port and url', async () => {
    const server = await start();
    expect(server.host).toBe('127.0.0.1');
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });

  it('close() closes WebSocket clients with 1001 and ends SSE streams within 2 s', async () => {
    const server = await start({ sseCount: 1000, sseIntervalMs: 50 });
    const echo = await openClient(`ws://127.0.0.1:${server.port}/websocket`);
    const sub = await openClient(`ws://127.0.0.1:${server.port}/broadcast`);
    const closeCodes = Promise.all(
      [echo, sub].map((ws) => new Promise<number>((resolve) => ws.once('close', (code: number) => resolve(code)))),
    );
    const sse = await connectTcp(server.port);
    sockets.add(sse);
    sse.write('GET /sse HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await readUntil(sse, (b) => b.includes('data:0'));
    const sseClosed = new Promise<void>((resolve) => sse.once('close', () => resolve()));

    const started = performance.now();
    const final = await server.close();
    expect(performance.now() - started).toBeLessThan(2000);
    expect(await closeCodes).toEqual([1001, 1001]);
    await sseClosed;
    expect(final.connections_open).toBe(0);
    expect(final.closes_by_code).toEqual({ 1001: 2 });
    await expect(fetch(`${server.url}/stats`)).rejects.toThrow();
  });

  it('close() resolves within 2 s even when a client never answers the close', async () => {
    const server = await start();
    sockets.add(await stalledWebSocketClient(server.port, '/broadcast'));
    const started = performance.now();
    const final = await server.close();
    expect(performance.now() - started).toBeLessThan(2000);
    expect(final.by_endpoint.broadcast.connections_open).toBe(0);
  });

  it('rejects a taken port with a one-line UsageError (exit code 2)', async () => {
    const first = await start();
    const attempt = startReferenceServer({ port: first.port });
    await expect(attempt).rejects.toBeInstanceOf(UsageError);
    const err = (await attempt.catch((e: unknown) => e)) as UsageError;
    expect(err.exitCode).toBe(ExitCode.Usage);
    expect(err.message).toBe(`port ${first.port} on 127.0.0.1 is already in use (try --port 0)`);
  });

  it('rejects bad options with a UsageError naming the option', async () => {
    await expect(startReferenceServer({ port: 0, sseCount: -1 })).rejects.toThrow(/sseCount must be a whole number >= 0/);
    await expect(startReferenceServer({ port: 0, ticksIntervalMs: 0 })).rejects.toThrow(/ticksIntervalMs must be a number > 0/);
  });
});
