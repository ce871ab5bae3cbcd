/**
 * /sse: the seed's stream, `data:0` … `data:9` with a pause after each event, then the server
 * closes (Connection: close). /sse/ticks: stamped events `publish_hz` times a second (default
 * 10), resuming after Last-Event-ID; `?count=N` ends the stream after N events.
 */
import { stamped } from './publisher.mjs';

const SEED_EVENTS = 10;
const MAX_INTERVAL_MS = 3_600_000;
const MAX_PUBLISH_HZ = 100_000;

/** `?name=` as a number in (0, max], `fallback` when absent, undefined when invalid. */
function positive(url, name, fallback, max) {
  const text = url.searchParams.get(name);
  if (text === null) return fallback;
  const v = Number(text);
  return text !== '' && v > 0 && v <= max ? v : undefined;
}

const badRequest = (res, why) => res.writeHead(400, { 'Content-Type': 'text/plain' }).end(`${why}\n`);

export function serveSeed(url, res) {
  const intervalMs = positive(url, 'interval_ms', 1000, MAX_INTERVAL_MS);
  if (intervalMs === undefined) return badRequest(res, 'interval_ms must be a number of milliseconds > 0');
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'close' });
  let i = 0;
  const step = () => {
    if (i === SEED_EVENTS) return void res.end();
    res.write(`data:${i++}\n\n`);
    timer = setTimeout(step, intervalMs);
  };
  let timer;
  res.on('close', () => clearTimeout(timer));
  step();
}

export function serveTicks(url, req, res) {
  const hz = positive(url, 'publish_hz', 10, MAX_PUBLISH_HZ);
  if (hz === undefined) return badRequest(res, 'publish_hz must be a number > 0');
  const countText = url.searchParams.get('count');
  if (countText !== null && !/^\d+$/.test(countText)) return badRequest(res, 'count must be a whole number');
  const count = countText === null ? Infinity : Number(countText);
  const lastId = String(req.headers['last-event-id'] ?? '').trim();
  const first = /^\d+$/.test(lastId) ? Number(lastId) + 1 : 0;
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
  let seq = first;
  const timer = setInterval(() => {
    if (seq - first >= count) return void res.end();
    res.write(`id:${seq}\ndata:${stamped(seq)}\n\n`);
    seq++;
  }, 1000 / hz);
  res.on('close', () => clearInterval(timer));
}
