/**
 * Real-target options over loopback: wss:// with a self-signed certificate made in the test
 * (refused without --insecure, accepted and noted with it), request headers and subprotocols
 * seen by the server, and permessage-deflate with payload and wire bytes reported apart.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { runScenario } from '../../dist/runner/run-scenario.js';
import { echoScenario, planFrom } from '../helpers/run.js';

const closedLoop = echoScenario({ connections: 2, load: { model: 'closed', inFlight: 1 } });

describe('wss:// with a self-signed certificate', () => {
  let port = 0;
  let close: () => void = () => {};
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rtbench-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
      ],
      { stdio: 'ignore' },
    );
    const https = createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) });
    const wss = new WebSocketServer({ server: https });
    wss.on('connection', (ws) => ws.on('message', (d, isBinary) => ws.send(d, { binary: isBinary })));
    await new Promise<void>((r) => https.listen(0, '127.0.0.1', r));
    port = (https.address() as { port: number }).port;
    close = () => {
      for (const c of wss.clients) c.terminate();
      https.close();
    };
  });
  afterAll(() => close());

  it('fails the handshake without --insecure', async () => {
    const { result, outcome } = await runScenario(planFrom(closedLoop, { target: `wss://127.0.0.1:${port}/`, durationMs: 300 }));
    expect(outcome).toBe('unreachable');
    expect(result.errors).toEqual({ tls_error: 2 });
  });

  it('runs with --insecure and says so in the report', async () => {
    const { result, outcome } = await runScenario(
      planFrom(closedLoop, { target: `wss://127.0.0.1:${port}/`, durationMs: 500, insecure: true }),
    );
    expect(outcome).toBe('completed');
    expect(result.counters.msgs_received).toBe(result.counters.msgs_sent);
    expect(result.counters.msgs_sent).toBeGreaterThan(10);
    expect(result.notes).toContain('TLS certificates were not verified (--insecure)');
  });
});

describe('headers, subprotocols, origin, deflate', () => {
  const seen: IncomingMessage[] = [];

  it('sends headers, subprotocols and origin on the handshake', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: (p) => [...p][0] ?? false });
    wss.on('connection', (ws, req) => {
      seen.push(req);
      ws.on('message', (d) => ws.send(d));
    });
    await new Promise((r) => wss.once('listening', r));
    const port = (wss.address() as { port: number }).port;
    try {
      const { outcome } = await runScenario(
        planFrom(closedLoop, {
          target: `ws://127.0.0.1:${port}/`,
          durationMs: 300,
          headers: { Authorization: 'Bearer t0k3n' },
          subprotocols: ['chat.v1'],
          origin: 'http://rtbench.test',
        }),
      );
      expect(outcome).toBe('completed');
      expect(seen).toHaveLength(2);
      expect(seen[0]!.headers.authorization).toBe('Bearer t0k3n');
      expect(seen[0]!.headers['sec-websocket-protocol']).toBe('chat.v1');
      expect(seen[0]!.headers.origin).toBe('http://rtbench.test');
    } finally {
      for (const c of wss.clients) c.terminate();
      wss.close();
    }
  });

  it('--deflate: compressible payloads cost fewer wire bytes than payload bytes', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: { threshold: 0 } });
    wss.on('connection', (ws) => ws.on('message', (d, isBinary) => ws.send(d, { binary: isBinary })));
    await new Promise((r) => wss.once('listening', r));
    const port = (wss.address() as { port: number }).port;
    try {
      const plain = await runScenario(planFrom(closedLoop, { target: `ws://127.0.0.1:${port}/`, durationMs: 500, sizeBytes: 4096 }));
      const deflated = await runScenario(
        planFrom(closedLoop, { target: `ws://127.0.0.1:${port}/`, durationMs: 500, sizeBytes: 4096, deflate: true }),
      );
      const ratio = (r: typeof plain) => r.result.counters.wire_bytes_sent / r.result.counters.bytes_sent;
      // Without compression the wire carries the payload plus framing; padding compresses well.
      expect(ratio(plain)).toBeGreaterThan(1);
      expect(ratio(deflated)).toBeLessThan(0.2);
      expect(deflated.result.counters.msgs_received).toBe(deflated.result.counters.msgs_sent);
    } finally {
      for (const c of wss.clients) c.terminate();
      wss.close();
    }
  });
});
