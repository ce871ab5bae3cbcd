// One SSE client kind in its own process, so its memory is measured alone (run by
// bench/sse-clients.js; needs `npm run build` and `node --expose-gc`).
//
//   node --expose-gc bench/sse-clients-child.js hold <http|eventsource|bare> <url> <streams> <seconds>
//   node --expose-gc bench/sse-clients-child.js bulk <http|eventsource|bare> <url> <streams>
//
// hold: opens <streams> streams (at most 256 connecting at once, as the engine's ramp does),
// waits for them to settle, forces GC and reads RSS and heap: client memory per stream is the
// growth over the baseline taken before the first stream, divided by the streams held. Then it
// counts events for <seconds> and the delay between the server's stamp and our receive
// (loopback, shared monotonic clock). bulk: streams that each deliver a burst and end; events/s
// from the first open to the last end. Prints one JSON line.
import { request } from 'node:http';
import { connect } from 'node:net';
import { createLatencyHistogram } from '../dist/metrics/histogram.js';
import { nowUs } from '../dist/load/clock.js';
import { sseDriver } from '../dist/protocol/sse.js';
import { eventSourceDriver } from '../dist/protocol/sse-eventsource.js';
import { readEventStamp } from '../dist/protocol/sse-stamp.js';

const [mode, kind, url, streamsArg, secondsArg = '10'] = process.argv.slice(2);
const streams = Number(streamsArg);
const MAX_CONNECTING = 256;

const delayUs = createLatencyHistogram();
const stamp = { seq: 0, tNs: 0 };
const state = { opened: 0, failed: 0, ended: 0, events: 0, measuring: false, firstOpenUs: 0, lastEndUs: 0 };

function onEventData(data, atUs) {
  state.events++;
  if (state.measuring && readEventStamp(data, stamp)) delayUs.recordValue(Math.max(1, Math.round(atUs - stamp.tNs / 1000)));
}

/** The rtbench drivers' handler: one object per stream, methods on the prototype. */
class Handler {
  constructor(settle) {
    this.settle = settle;
    this.reconnectsStream = false;
  }
  onOpen() {
    if (state.opened++ === 0) state.firstOpenUs = nowUs();
    this.settle();
  }
  onMessage() {}
  onBodyBytes() {}
  onEvent(data, _id, atUs) {
    onEventData(data, atUs);
  }
  onInterrupted() {}
  onReconnect() {}
  onEnd(end) {
    if (!end.wasOpen) {
      state.failed++;
      this.settle();
    }
    state.ended++;
    state.lastEndUs = nowUs();
  }
}

const DIAL = {
  handshakeTimeoutMs: 30_000,
  replyTimeoutMs: 10_000,
  maxMessageBytes: 1 << 20,
  maxEventBytes: 1 << 20,
  reconnect: false,
  headers: {},
  subprotocols: [],
  insecure: false,
  deflate: false,
};

/** The baseline: node:http with no agent and a line splitter that counts blank lines. */
function openBare(target, settle) {
  const req = request({
    host: target.hostname,
    port: target.port,
    path: target.pathname + target.search,
    headers: { Accept: 'text/event-stream' },
    createConnection: (o) => connect({ host: o.host ?? undefined, port: Number(o.port) }),
  });
  req.on('response', (res) => {
    if (state.opened++ === 0) state.firstOpenUs = nowUs();
    settle();
    let tail = '';
    res.setEncoding('utf8');
    res.on('data', (text) => {
      const atUs = nowUs();
      let from = 0;
      text = tail + text;
      for (let end = text.indexOf('\n\n', from); end !== -1; end = text.indexOf('\n\n', from)) {
        const block = text.slice(from, end);
        const d = block.indexOf('data:');
        onEventData(
          d === -1
            ? ''
            : block.slice(d + (block.charCodeAt(d + 5) === 32 ? 6 : 5), block.indexOf('\n', d) === -1 ? undefined : block.indexOf('\n', d)),
          atUs,
        );
        from = end + 2;
      }
      tail = text.slice(from);
    });
    res.on('close', () => {
      state.ended++;
      state.lastEndUs = nowUs();
    });
  });
  req.on('error', () => {
    state.failed++;
    settle();
  });
  req.end();
}

const conns = [];
function openOne(settle) {
  if (kind === 'bare') return openBare(new URL(url), settle);
  const driver = kind === 'eventsource' ? eventSourceDriver : sseDriver;
  conns.push(driver.open(url, DIAL, new Handler(settle)));
}

async function openAll() {
  let started = 0;
  let settled = 0;
  await new Promise((resolve) => {
    const settle = () => {
      settled++;
      if (settled === streams) resolve(undefined);
      else if (started < streams) pump();
    };
    const pump = () => {
      while (started < streams && started - settled < MAX_CONNECTING) {
        started++;
        openOne(settle);
      }
    };
    pump();
  });
}

function memory() {
  globalThis.gc?.();
  globalThis.gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const base = memory();
const t0 = performance.now();
await openAll();
const openMs = performance.now() - t0;
if (mode === 'hold') {
  await sleep(2000); // let every stream receive a first event and settle its buffers
  const held = memory();
  const perStream = (bytes) => Math.round(bytes / Math.max(1, state.opened));
  state.measuring = true;
  const eventsBefore = state.events;
  const m0 = performance.now();
  await sleep(Number(secondsArg) * 1000);
  const seconds = (performance.now() - m0) / 1000;
  const eventsPerSec = Math.round((state.events - eventsBefore) / seconds);
  const pct = (p) => (delayUs.totalCount ? +(delayUs.getValueAtPercentile(p) / 1000).toFixed(2) : null);
  process.stdout.write(
    `${JSON.stringify({
      mode,
      client: kind,
      streams,
      held: state.opened - state.ended,
      failed: state.failed,
      openSeconds: +(openMs / 1000).toFixed(1),
      rssPerStreamBytes: perStream(held.rss - base.rss),
      heapPerStreamBytes: perStream(held.heap - base.heap),
      rssMiB: Math.round(held.rss / 2 ** 20),
      eventsPerSec,
      delayP50Ms: pct(50),
      delayP99Ms: pct(99),
      delayMaxMs: delayUs.totalCount ? +(delayUs.maxValue / 1000).toFixed(2) : null,
    })}\n`,
  );
} else {
  while (state.ended + state.failed < streams) await sleep(20);
  const seconds = (state.lastEndUs - state.firstOpenUs) / 1e6;
  process.stdout.write(
    `${JSON.stringify({
      mode,
      client: kind,
      streams,
      failed: state.failed,
      events: state.events,
      seconds: +seconds.toFixed(2),
      eventsPerSec: Math.round(state.events / seconds),
    })}\n`,
  );
}
for (const c of conns) c.close(0);
setTimeout(() => process.exit(0), 200);
