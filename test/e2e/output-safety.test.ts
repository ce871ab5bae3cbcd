/**
 * Issue 18, items 1 and 2, through the built CLI against real servers on loopback: secrets
 * given on the command line reach the server but never an output (result JSON, rounds, md,
 * html, hgrm, stderr), and results are never lost (the output path is checked before any
 * socket opens, existing files are kept without --force, a failed write falls back and says
 * where, `--out -` prints the document).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { runBin } from '../helpers/bin.js';

const SECRETS = ['hunter2', 's3cr3t-query', 'tok-123', 'k-456', 'c-789', 'pw-flag'];
const mark = (value: string) => `<redacted:sha256:${createHash('sha256').update(value).digest('hex').slice(0, 8)}>`;
const short = ['-c', '1', '--rate', '20', '-d', '1s', '--warmup', '0', '-q'];

/** An echo server that records the handshake headers it was sent, and counts its connections. */
async function recordingEcho(): Promise<{ port: number; seen: IncomingMessage['headers'][]; close(): void }> {
  const seen: IncomingMessage['headers'][] = [];
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  wss.on('connection', (ws, req) => {
    seen.push(req.headers);
    ws.on('message', (d, isBinary) => ws.send(d, { binary: isBinary }));
  });
  await new Promise<void>((r) => wss.once('listening', r));
  return { port: (wss.address() as { port: number }).port, seen, close: () => wss.close() };
}

describe('secrets are redacted in every output, with a short hash', () => {
  let server: Awaited<ReturnType<typeof recordingEcho>>;
  let dir = '';
  beforeAll(async () => {
    server = await recordingEcho();
    dir = mkdtempSync(join(tmpdir(), 'rtbench-redact-'));
  });
  afterAll(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends the real values, and writes only their hashes (0600 files)', async () => {
    const url = `ws://alice:hunter2@127.0.0.1:${server.port}/ws?token=s3cr3t-query&room=7`;
    const out = join(dir, 'r.json');
    const run = await runBin([
      'run',
      'echo',
      '--target',
      url,
      '-H',
      'Authorization: Bearer tok-123',
      '-H',
      'X-Api-Key: k-456',
      '-H',
      'Cookie: sid=c-789',
      '-H',
      'X-Trace: visible-1',
      '--out',
      out,
      '--format',
      'md',
      ...short,
    ]);
    expect(run.code).toBe(0);
    expect(server.seen[0]!.authorization).toBe('Bearer tok-123');
    expect(server.seen[0]!['x-api-key']).toBe('k-456');
    expect(server.seen[0]!.cookie).toBe('sid=c-789');

    const json = readFileSync(out, 'utf8');
    expect(statSync(out).mode & 0o777).toBe(0o600);
    const doc = JSON.parse(json);
    expect(doc.scenario.connection.headers).toEqual({
      Authorization: mark('Bearer tok-123'),
      'X-Api-Key': mark('k-456'),
      Cookie: mark('sid=c-789'),
      'X-Trace': 'visible-1',
    });
    const redactedUrl = `ws://${mark('alice:hunter2')}@127.0.0.1:${server.port}/ws?token=${mark('s3cr3t-query')}&room=${mark('7')}`;
    expect(doc.target.url).toBe(redactedUrl);
    expect(doc.scenario.targetUrl).toBe(redactedUrl);

    const html = join(dir, 'r.html');
    const hgrm = join(dir, 'hgrm');
    expect((await runBin(['report', out, '--format', 'html', '--out', html])).code).toBe(0);
    expect((await runBin(['report', out, '--format', 'hgrm', '--out', hgrm])).code).toBe(0);
    const texts = [
      run.stdout,
      run.stderr,
      json,
      readFileSync(html, 'utf8'),
      ...readdirSync(hgrm).map((f) => readFileSync(join(hgrm, f), 'utf8')),
    ];
    for (const text of texts) for (const s of SECRETS) expect(text).not.toContain(s);
    expect(run.stdout).toContain(mark('alice:hunter2'));
  });

  it('redacts a saved file written before redaction when it is re-rendered or merged', async () => {
    const out = join(dir, 'plain.json');
    const run = await runBin(['run', 'echo', '--target', `ws://127.0.0.1:${server.port}/ws`, '--out', out, ...short]);
    expect(run.code).toBe(0);
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    doc.scenario.connection.headers = { Authorization: 'Bearer tok-123' };
    doc.target.url = `ws://127.0.0.1:${server.port}/ws?token=s3cr3t-query`;
    const old = join(dir, 'old.json');
    writeFileSync(old, JSON.stringify(doc));
    const md = await runBin(['report', old, '--format', 'md']);
    const merged = await runBin(['merge', old, old]);
    for (const text of [md.stdout, merged.stdout]) for (const s of SECRETS) expect(text).not.toContain(s);
    expect(JSON.parse(merged.stdout).scenario.connection.headers).toEqual({ Authorization: mark('Bearer tok-123') });
  });

  it('keeps secrets out of error lines and the compare rounds files', async () => {
    const refused = await runBin([
      'run',
      'echo',
      '--target',
      'ws://bob:hunter2@127.0.0.1:1/x?token=s3cr3t-query',
      '--out',
      join(dir, 'u.json'),
      ...short,
    ]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain(`ws://${mark('bob:hunter2')}@127.0.0.1:1/x?token=${mark('s3cr3t-query')}`);
    for (const s of SECRETS) expect(refused.stderr + readFileSync(join(dir, 'u.json'), 'utf8')).not.toContain(s);

    const badHeader = await runBin(['run', 'echo', '-H', 'tok-123', ...short]);
    expect(badHeader.code).toBe(2);
    expect(badHeader.stderr).toBe(`rtbench: --header must look like 'Name: value' (got ${mark('tok-123')})\n`);

    const save = join(dir, 'rounds');
    const live = await runBin([
      'compare',
      'echo',
      '--target',
      `a=ws://127.0.0.1:${server.port}/ws?token=s3cr3t-query`,
      '--target',
      `b=ws://127.0.0.1:${server.port}/ws`,
      '-H',
      'Authorization: Bearer tok-123',
      '--rounds',
      '1',
      '--cooldown',
      '0',
      '--save-dir',
      save,
      ...short,
    ]);
    expect(live.code).toBe(0);
    const rounds = readdirSync(save).sort();
    expect(rounds).toEqual(['a.json', 'b.json']);
    for (const f of rounds) {
      expect(statSync(join(save, f)).mode & 0o777).toBe(0o600);
      for (const s of SECRETS) expect(readFileSync(join(save, f), 'utf8')).not.toContain(s);
    }
  });
});

describe('results are never lost', () => {
  let server: Awaited<ReturnType<typeof recordingEcho>>;
  let dir = '';
  beforeAll(async () => {
    server = await recordingEcho();
    dir = mkdtempSync(join(tmpdir(), 'rtbench-out-'));
  });
  afterAll(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const target = () => ['--target', `ws://127.0.0.1:${server.port}/ws`];

  it('--out naming a folder, or an existing file without --force: exit 2 before any socket opens', async () => {
    const before = server.seen.length;
    const folder = await runBin(['run', 'echo', ...target(), '--out', dir, ...short]);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toBe(`rtbench: --out ${dir}: is a folder; name a file in it, e.g. ${join(dir, 'result.json')}\n`);

    const existing = join(dir, 'kept.json');
    writeFileSync(existing, 'precious');
    const refused = await runBin(['run', 'echo', ...target(), '--out', existing, ...short]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(`rtbench: --out ${existing}: the file exists; give --force to replace it, or name another file\n`);
    expect(readFileSync(existing, 'utf8')).toBe('precious');

    const underFile = await runBin(['run', 'echo', ...target(), '--out', join(existing, 'r.json'), ...short]);
    expect(underFile.code).toBe(2);
    expect(server.seen.length).toBe(before);

    const forced = await runBin(['run', 'echo', ...target(), '--out', existing, '--force', ...short]);
    expect(forced.code).toBe(0);
    expect(JSON.parse(readFileSync(existing, 'utf8')).schemaVersion).toBe(2);
    expect(statSync(existing).mode & 0o777).toBe(0o600);
    // The temporary file was renamed, not left beside it.
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('report, merge and gate keep existing files without --force', async () => {
    const result = join(dir, 'one.json');
    expect((await runBin(['run', 'echo', ...target(), '--out', result, ...short])).code).toBe(0);
    const existing = join(dir, 'taken.md');
    writeFileSync(existing, 'mine');
    for (const args of [
      ['report', result, '--format', 'md', '--out', existing],
      ['merge', result, result, '--out', existing],
      ['gate', result, '--baseline', result, '--out', existing],
    ]) {
      const r = await runBin(args);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`rtbench: --out ${existing}: the file exists; give --force to replace it, or name another file\n`);
    }
    expect(readFileSync(existing, 'utf8')).toBe('mine');
    expect((await runBin(['merge', result, result, '--out', existing, '--force'])).code).toBe(0);
    expect(JSON.parse(readFileSync(existing, 'utf8')).notes).toContain('merged from 2 results (histograms added, counters summed)');
  });

  it('--out - prints the result document on stdout and writes no file', async () => {
    const cwd = mkdtempSync(join(dir, 'cwd-'));
    for (const flag of ['--out', '-o']) {
      const r = await runBin(['run', 'echo', ...target(), flag, '-', ...short], { cwd });
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).counters.connections_opened).toBe(1);
    }
    expect(existsSync(join(cwd, 'reports'))).toBe(false);
  });

  it('a write that fails after the run falls back to the temporary folder and says where', async () => {
    // The folder passes the check, then becomes a file while the run holds its connection:
    // the server sees the connection only after the check, so the swap cannot come first.
    const parent = join(dir, 'swapped');
    mkdirSync(parent);
    const out = join(parent, 'r.json');
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    wss.on('connection', (ws) => {
      rmSync(parent, { recursive: true, force: true });
      writeFileSync(parent, 'now a file');
      ws.on('message', (d) => ws.send(d));
    });
    await new Promise<void>((r) => wss.once('listening', r));
    const port = (wss.address() as { port: number }).port;
    const r = await runBin(['run', 'echo', '--target', `ws://127.0.0.1:${port}/ws`, '--out', out, ...short]);
    wss.close();
    expect(r.code).toBe(0);
    const m = /^rtbench: could not write (.+) \((.+)\); written to (.+) instead$/m.exec(r.stderr);
    expect(m?.[1]).toBe(out);
    const fallback = m![3]!;
    expect(fallback.startsWith(tmpdir())).toBe(true);
    expect(JSON.parse(readFileSync(fallback, 'utf8')).counters.connections_opened).toBe(1);
    expect(statSync(fallback).mode & 0o777).toBe(0o600);
    rmSync(fallback);
  });
});
