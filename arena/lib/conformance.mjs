/**
 * The arena's conformance check: what every server must do before it is measured. Each check
 * talks to a running server over loopback with real sockets (`ws`, node:http) and returns what
 * it saw as plain data; `verdicts` turns that into pass/fail lines, and the e2e test asserts
 * the same data exactly.
 */
import { request } from 'node:http';
import { createParser } from 'eventsource-parser';
import WebSocket from 'ws';
import { readEventStamp } from '../../dist/protocol/sse-stamp.js';
import { readFanoutStamp } from '../../dist/worker/roles/fanout-stamp.js';

/** How long any one check may take before it reports what it has. */
const CHECK_TIMEOUT_MS = 10_000;
/** Quiet time after the last expected message, to catch extra ones. */
const SETTLE_MS = 300;
/** How often the broadcast check's first client sends a sync message while waiting for every client to be subscribed. */
const SYNC_EVERY_MS = 50;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Payloads the echo and broadcast checks send: text (with multi-byte characters), binary that is not UTF-8, and text over 64 KiB (Hyperlane frames it in parts). */
export function echoPayloads() {
  const binary = Buffer.alloc(300);
  for (let i = 0; i < binary.length; i++) binary[i] = (i * 37 + 0x80) & 0xff; // 0x80 first: never valid UTF-8
  return [
    { isBinary: false, data: Buffer.from('héllo arena ✓ 0') },
    { isBinary: true, data: binary },
    { isBinary: false, data: Buffer.from('x'.repeat(70_000)) },
  ];
}

/** Opens `count` clients on `path` and resolves once all are open. */
async function openClients(port, path, count) {
  const clients = [];
  for (let i = 0; i < count; i++) {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { perMessageDeflate: false, maxPayload: 16 * 1024 * 1024 });
    const received = [];
    ws.on('message', (data, isBinary) => received.push({ isBinary, data: /** @type {Buffer} */ (data) }));
    ws.on('error', () => {});
    clients.push({ ws, received });
  }
  await Promise.all(
    clients.map(
      ({ ws }) =>
        new Promise((resolve, reject) => {
          ws.once('open', resolve);
          ws.once('error', reject);
          ws.once('unexpected-response', (_req, res) => reject(new Error(`${path}: HTTP ${res.statusCode} instead of 101`)));
        }),
    ),
  );
  return clients;
}

/** Waits until `done()` or the timeout, then a settle time for anything extra. */
async function waitFor(done) {
  const deadline = Date.now() + CHECK_TIMEOUT_MS;
  while (!done() && Date.now() < deadline) await sleep(10);
  await sleep(SETTLE_MS);
}

/**
 * Several frameworks answer the handshake before the handler subscribes to the channel
 * (Hyperlane's upgrade middleware, gorilla's hub registration, a WebFlux session's first
 * demand), so a message sent right after `open` may miss a client. The first client sends sync
 * messages until every client has received one, then everything is let through and forgotten.
 */
async function untilAllSubscribed(clients) {
  const deadline = Date.now() + CHECK_TIMEOUT_MS;
  for (let k = 0; !clients.every((c) => c.received.length > 0) && Date.now() < deadline; k++) {
    clients[0].ws.send(`sync ${k}`);
    await sleep(SYNC_EVERY_MS);
  }
  const total = () => clients.reduce((n, c) => n + c.received.length, 0);
  for (let last = -1; total() !== last; ) {
    last = total();
    await sleep(SETTLE_MS);
  }
  for (const c of clients) c.received.length = 0;
}

const closeAll = (clients) => {
  for (const { ws } of clients) ws.terminate();
};

/**
 * /websocket: sends each payload once on one connection.
 * @returns {Promise<{sent: {isBinary: boolean, data: Buffer}[], received: {isBinary: boolean, data: Buffer}[], asciiBinaryCameBackAs: string}>}
 */
export async function checkEcho(port) {
  const sent = echoPayloads();
  const [client] = await openClients(port, '/websocket', 1);
  for (const m of sent) client.ws.send(m.data, { binary: m.isBinary });
  await waitFor(() => client.received.length >= sent.length);
  const received = client.received.splice(0);
  // Not part of the contract: Hyperlane picks the opcode by UTF-8 validity, so ASCII sent as binary comes back as text.
  client.ws.send(Buffer.from('ascii in a binary frame'), { binary: true });
  await waitFor(() => client.received.length >= 1);
  const asciiBinaryCameBackAs = client.received[0] ? (client.received[0].isBinary ? 'binary' : 'text') : 'nothing';
  closeAll([client]);
  return { sent, received, asciiBinaryCameBackAs };
}

/**
 * /broadcast with `clientCount` clients: each sends one text and one binary message.
 * @returns {Promise<{sent: {from: number, isBinary: boolean, data: Buffer}[], receivedBy: {isBinary: boolean, data: Buffer}[][]}>}
 */
export async function checkBroadcast(port, clientCount = 3) {
  const clients = await openClients(port, '/broadcast', clientCount);
  await untilAllSubscribed(clients);
  const sent = [];
  clients.forEach(({ ws }, from) => {
    const text = { from, isBinary: false, data: Buffer.from(`from client ${from}: héllo`) };
    const binary = { from, isBinary: true, data: Buffer.from([0xff, 0xfe, from, 0x00, 0x80]) };
    for (const m of [text, binary]) {
      ws.send(m.data, { binary: m.isBinary });
      sent.push(m);
    }
  });
  await waitFor(() => clients.every((c) => c.received.length >= sent.length));
  closeAll(clients);
  return { sent, receivedBy: clients.map((c) => c.received) };
}

/**
 * /broadcast?publish_hz=H: two subscribers listen for `listenMs`; every message is read with
 * rtbench's fan-out stamp parser and timed against this host's clock.
 * @returns {Promise<{perClient: {count: number, parsed: number, seqs: number[], oneWayUs: number[]}[]}>}
 */
export async function checkPublished(port, hz = 50, listenMs = 600) {
  const clients = await openClients(port, `/broadcast?publish_hz=${hz}`, 2);
  const timings = clients.map(() => /** @type {number[]} */ ([]));
  clients.forEach(({ ws }, i) => {
    ws.on('message', () => timings[i].push(Number(process.hrtime.bigint() / 1000n)));
  });
  await sleep(listenMs);
  closeAll(clients);
  const stamp = { publisherId: 0, part: 0, seq: 0, sentUs: 0 };
  return {
    perClient: clients.map((c, i) => {
      const seqs = [];
      const oneWayUs = [];
      for (const [k, m] of c.received.entries()) {
        if (m.isBinary || !readFanoutStamp(m.data, stamp) || stamp.publisherId !== -1) continue;
        seqs.push(stamp.seq);
        // Messages that arrived before the timing listener was added have no receive time.
        const at = timings[i][k - (c.received.length - timings[i].length)];
        if (at !== undefined) oneWayUs.push(at - stamp.sentUs);
      }
      return { count: c.received.length, parsed: seqs.length, seqs, oneWayUs };
    }),
  };
}

/**
 * GET `path` and parse its body as SSE until the response ends or the timeout.
 * @returns {Promise<{status: number, contentType: string, events: {id: string | undefined, data: string}[], ended: boolean, receivedAtUs: number[]}>}
 */
export function readSse(port, path, headers = {}) {
  return new Promise((resolve, reject) => {
    const events = [];
    const receivedAtUs = [];
    const parser = createParser({
      onEvent: (e) => {
        events.push({ id: e.id, data: e.data });
        receivedAtUs.push(Number(process.hrtime.bigint() / 1000n));
      },
    });
    const req = request({ host: '127.0.0.1', port, path, headers: { Accept: 'text/event-stream', ...headers } }, (res) => {
      const result = (ended) => ({
        status: res.statusCode ?? 0,
        contentType: String(res.headers['content-type']),
        events,
        ended,
        receivedAtUs,
      });
      const timer = setTimeout(() => {
        req.destroy();
        resolve(result(false));
      }, CHECK_TIMEOUT_MS);
      res.setEncoding('utf8');
      res.on('data', (chunk) => parser.feed(chunk));
      res.on('end', () => {
        clearTimeout(timer);
        resolve(result(true));
      });
      res.on('error', () => {
        clearTimeout(timer);
        resolve(result(false));
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** /sse?interval_ms=20: the seed's ten events, then the end of the response. */
export const checkSeedSse = (port) => readSse(port, '/sse?interval_ms=20');

/**
 * @typedef {Awaited<ReturnType<typeof readSse>> & {stamps: ({seq: number, tNs: number} | undefined)[]}} TicksRead
 */

/**
 * /sse/ticks: five stamped events from the start, then two resumed after Last-Event-ID 41;
 * stamps read with rtbench's SSE stamp parser.
 * @returns {Promise<{fresh: TicksRead, resumed: TicksRead}>}
 */
export async function checkTicks(port) {
  const parse = (r) => {
    const stamp = { seq: 0, tNs: 0 };
    return { ...r, stamps: r.events.map((e) => (readEventStamp(e.data, stamp) ? { seq: stamp.seq, tNs: stamp.tNs } : undefined)) };
  };
  const fresh = parse(await readSse(port, '/sse/ticks?publish_hz=100&count=5'));
  const resumed = parse(await readSse(port, '/sse/ticks?publish_hz=100&count=2', { 'Last-Event-ID': '41' }));
  return { fresh, resumed };
}

const sameMessage = (a, b) => a.isBinary === b.isBinary && a.data.equals(b.data);
/** A stamp more than 1 ms in the future is from another clock (rtbench's own rule); older than 5 s is not "now". */
const plausibleOneWay = (us) => us >= -1000 && us < 5_000_000;

/** Runs every check against a server on `port`; returns one verdict per check. */
export async function checkServer(port) {
  const verdicts = [];
  const run = async (name, fn, judge) => {
    try {
      verdicts.push({ name, ...judge(await fn()) });
    } catch (err) {
      verdicts.push({ name, ok: false, detail: `error: ${err instanceof Error ? err.message : err}` });
    }
  };
  await run(
    'echo',
    () => checkEcho(port),
    (r) => ({
      ok: r.received.length === r.sent.length && r.sent.every((m, i) => r.received[i] && sameMessage(m, r.received[i])),
      detail: `${r.received.length}/${r.sent.length} replies exact (text, non-UTF-8 binary, 70 kB text); ASCII sent as binary came back as ${r.asciiBinaryCameBackAs}`,
    }),
  );
  await run(
    'sse',
    () => checkSeedSse(port),
    (r) => ({
      ok: r.status === 200 && r.ended && r.events.map((e) => e.data).join(',') === '0,1,2,3,4,5,6,7,8,9',
      detail: `status ${r.status}, events [${r.events.map((e) => e.data).join(',')}], ${r.ended ? 'then the response ended' : 'response did not end'}`,
    }),
  );
  await run(
    'broadcast',
    () => checkBroadcast(port),
    (r) => {
      const exact = r.receivedBy.map((got) => got.length === r.sent.length && r.sent.every((m) => got.some((g) => sameMessage(m, g))));
      return {
        ok: exact.every(Boolean),
        detail: `${r.sent.length} messages from ${r.receivedBy.length} clients; received ${r.receivedBy.map((g) => g.length).join('/')}${exact.every(Boolean) ? ', every one by every client' : ', not exact'}`,
      };
    },
  );
  await run(
    'publish',
    () => checkPublished(port),
    (r) => {
      const ok = r.perClient.every(
        (c) =>
          c.count >= 5 &&
          c.parsed === c.count &&
          c.seqs.every((s, i) => i === 0 || s === c.seqs[i - 1] + 1) &&
          c.oneWayUs.every(plausibleOneWay),
      );
      const worst = Math.max(...r.perClient.flatMap((c) => c.oneWayUs.map(Math.abs)));
      return {
        ok,
        detail: `${r.perClient.map((c) => `${c.parsed}/${c.count}`).join(' and ')} stamps parsed, seqs consecutive; largest one-way ${Math.round(worst)} µs`,
      };
    },
  );
  await run(
    'ticks',
    () => checkTicks(port),
    (r) => {
      const seqs = (x) => x.stamps.map((s) => s?.seq ?? 'bad').join(',');
      const ok =
        r.fresh.ended &&
        seqs(r.fresh) === '0,1,2,3,4' &&
        r.resumed.ended &&
        seqs(r.resumed) === '42,43' &&
        r.fresh.events.every((e, i) => e.id === String(i));
      return { ok, detail: `seqs [${seqs(r.fresh)}] then after Last-Event-ID 41 [${seqs(r.resumed)}]` };
    },
  );
  return verdicts;
}
