/**
 * Scale plumbing over real loopback sockets: a few thousand connections spread over several
 * source addresses (each with rtbench's own source ports) are all counted open, and the
 * server sees them arrive from every address.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { runScenario } from '../../dist/runner/run-scenario.js';
import { echoScenario, planFrom } from '../helpers/run.js';

describe('source-address spreading', () => {
  let wss: WebSocketServer;
  const bySource = new Map<string, number>();
  const ports = new Set<number>();
  beforeAll(async () => {
    wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: false, clientTracking: false });
    wss.on('connection', (ws, req) => {
      const from = req.socket.remoteAddress ?? '?';
      bySource.set(from, (bySource.get(from) ?? 0) + 1);
      ports.add(req.socket.remotePort ?? 0);
      ws.on('message', (d) => ws.send(d));
    });
    await new Promise((r) => wss.once('listening', r));
  });
  afterAll(() => new Promise<void>((r) => wss.close(() => r())));

  it('opens 3,000 connections from three addresses, every one counted', async () => {
    const port = (wss.address() as { port: number }).port;
    const plan = planFrom(echoScenario({ connections: 3000, connectRate: 3000, load: { rate: 0.5 } }), {
      target: `ws://127.0.0.1:${port}/`,
      durationMs: 1500,
      workers: 2,
      sourceIps: ['127.0.0.1', '127.0.0.2', '127.0.0.3'],
    });
    const { result, outcome } = await runScenario(plan);
    expect(outcome).toBe('completed');
    expect(result.counters.connections_opened).toBe(3000);
    expect(result.errors).toEqual({});
    expect(Object.fromEntries(bySource)).toEqual({ '127.0.0.1': 1000, '127.0.0.2': 1000, '127.0.0.3': 1000 });
    // Source ports come from rtbench's own block below the ephemeral range.
    expect(Math.max(...ports)).toBeLessThan(32_768);
    expect(Math.min(...ports)).toBeGreaterThanOrEqual(10_000);
    expect(result.notes.some((n) => n.includes('3 source addresses'))).toBe(true);
  }, 60_000);
});
