/**
 * The SSE endpoints of the reference server.
 *
 * `/sse` reproduces the seed's Hyperlane handler byte for byte (docs/hyperlane-wire.md §2): a head with
 * no Content-Length and no Transfer-Encoding, then `data:{i}\r\n\r\n` events, and the body ends
 * when the TCP connection closes. Node's http would send such a body chunked, so this endpoint
 * writes the request's socket directly and never touches the ServerResponse.
 *
 * `/sse/ticks` is a standard stream (WHATWG HTML §9.2) through Node's http: `retry:`, then
 * events with `id:` and a stamped JSON payload at a fixed rate, resumable with Last-Event-ID.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ReferenceServerOptions } from './options.js';
import type { StatsBook } from './stats.js';

/** The seed's response head in the strict profile: the headers Hyperlane's builder sends for SSE, in the usual spelling. */
const SEED_HEAD = 'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: keep-alive\r\n\r\n';
/** The Hyperlane profiles' head, byte for byte as hyperlane 22.1.0 writes it (lower case, no space after the colon). */
const HYPERLANE_SEED_HEAD = 'HTTP/1.1 200 OK\r\nconnection:keep-alive\r\ncontent-type:text/event-stream\r\n\r\n';

const TICKS_HEADERS = {
  'Content-Type': 'text/event-stream',
  'Cache-Control': 'no-cache',
  Connection: 'keep-alive',
} as const;

/** Per-request settings of a `/sse/ticks` stream, read from its query string and headers. */
interface TicksRequest {
  firstSeq: number;
  count: number | undefined;
  intervalMs: number;
}

/** Serves both SSE paths and owns every stream they open, so shutdown can end them. */
export class SseEndpoints {
  private readonly seedStreams = new Set<Socket>();
  private readonly tickStreams = new Set<ServerResponse>();

  constructor(
    private readonly opts: ReferenceServerOptions,
    private readonly stats: StatsBook,
  ) {}

  /** Streams open on both paths. */
  get openCount(): number {
    return this.seedStreams.size + this.tickStreams.size;
  }

  /** True when `socket` carries a `/sse` stream written by hand (the http parser must not answer on it). */
  ownsSocket(socket: unknown): boolean {
    return this.seedStreams.has(socket as Socket);
  }

  /**
   * `/sse`: the head, then event i at i × sseIntervalMs, then the connection is closed one
   * interval after the last event, as the seed does (it sleeps after every event). With an
   * interval of 0 the events go out in one burst and the close follows (current Hyperlane).
   */
  serveSeed(req: IncomingMessage): void {
    const socket = req.socket;
    const counters = this.stats.sse;
    const { sseCount: count, sseIntervalMs: intervalMs } = this.opts;
    counters.connections_accepted++;
    counters.connections_open++;
    this.seedStreams.add(socket);
    socket.setNoDelay(true);
    socket.write(this.opts.profile === 'strict' ? SEED_HEAD : HYPERLANE_SEED_HEAD);

    let next = 0;
    let timer: NodeJS.Timeout | undefined;
    const finish = (): void => {
      if (timer) clearInterval(timer);
      timer = undefined;
      socket.end();
    };
    const step = (): void => {
      if (next >= count || !socket.writable) return finish();
      socket.write(`data:${next++}\r\n\r\n`);
      counters.sse_events_sent++;
    };
    socket.once('close', () => {
      // A client that leaves early stops its timer; nothing else refers to the stream.
      if (timer) clearInterval(timer);
      this.seedStreams.delete(socket);
      counters.connections_open--;
    });

    if (intervalMs === 0) {
      for (let i = 0; i < count; i++) step();
      finish();
      return;
    }
    step();
    if (socket.writable) timer = setInterval(step, intervalMs);
  }

  /**
   * `/sse/ticks`: `retry:`, then one event at once and one every interval. `?count=N` ends
   * the stream after N events, `?interval=ms` overrides the rate, and the sequence resumes
   * after the id in `Last-Event-ID` (or `?lastEventId=`). An event that finds the client's
   * send buffer over the slow-client limit is skipped and counted, leaving a gap in the ids.
   */
  serveTicks(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): void {
    const parsed = this.readTicksRequest(req, query);
    if (typeof parsed === 'string') {
      res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`${parsed}\n`);
      return;
    }
    const counters = this.stats.sse_ticks;
    const limit = this.opts.slowClientLimitBytes;
    counters.connections_accepted++;
    counters.connections_open++;
    this.tickStreams.add(res);
    res.writeHead(200, TICKS_HEADERS);
    res.write(`retry: ${this.opts.ticksRetryMs}\n\n`);

    let seq = parsed.firstSeq;
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    const finish = (): void => {
      if (timer) clearInterval(timer);
      timer = undefined;
      res.end();
    };
    const tick = (): void => {
      if (res.writableLength > limit) {
        counters.msgs_dropped_slow++;
      } else {
        res.write(`id: ${seq}\ndata: {"seq":${seq},"t":"${process.hrtime.bigint()}"}\n\n`);
        counters.sse_events_sent++;
      }
      seq++;
      sent++;
      // End right after the last event, not one interval later: a client testing reconnects
      // should not wait for nothing.
      if (parsed.count !== undefined && sent >= parsed.count) finish();
    };
    res.once('close', () => {
      if (timer) clearInterval(timer);
      this.tickStreams.delete(res);
      counters.connections_open--;
    });

    if (parsed.count === 0) return finish();
    tick();
    if (!res.writableEnded) timer = setInterval(tick, parsed.intervalMs);
  }

  /** Ends every open stream: `/sse` with a TCP close (its normal end), `/sse/ticks` with the last chunk. */
  endAll(): void {
    for (const socket of this.seedStreams) socket.end();
    for (const res of this.tickStreams) res.end();
  }

  private readTicksRequest(req: IncomingMessage, query: URLSearchParams): TicksRequest | string {
    const countText = query.get('count');
    const intervalText = query.get('interval');
    let count: number | undefined;
    let intervalMs = this.opts.ticksIntervalMs;
    if (countText !== null) {
      count = Number(countText);
      if (!/^\d+$/.test(countText)) return `count must be a whole number >= 0 (got ${JSON.stringify(countText)})`;
    }
    if (intervalText !== null) {
      intervalMs = Number(intervalText);
      if (intervalText === '' || !Number.isFinite(intervalMs) || intervalMs <= 0) {
        return `interval must be a number of milliseconds > 0 (got ${JSON.stringify(intervalText)})`;
      }
    }
    // The header is what an EventSource sends on reconnect, so it wins over the query.
    const header = req.headers['last-event-id'];
    const lastId = (typeof header === 'string' ? header : undefined) ?? query.get('lastEventId');
    const firstSeq = lastId !== null && /^\d+$/.test(lastId.trim()) ? Number(lastId.trim()) + 1 : 0;
    return { firstSeq, count, intervalMs };
  }
}
