/**
 * SSE driver over the `eventsource` package (v4: fetch + eventsource-parser), for behaviour
 * identical to a browser's EventSource: `--sse-client eventsource`. Its reconnects, retry
 * delay and Last-Event-ID handling are the package's own; this file only observes them.
 *
 * It costs several times the memory per stream of the default driver (sse.ts;
 * docs/architecture.md §4). Through fetch it sees the body after chunk framing (counted in
 * `bytes_received`, and against `maxEventBytes` before the package parses it) but not the
 * socket (the wire byte counters stay 0); it cannot bind a local address (`localAddress` is
 * ignored) or accept a self-signed certificate (`insecure` is ignored).
 *
 * Observing without a listener per stream: a subclass overrides `dispatchEvent`, which the
 * package calls for every open, error and message event (of any event type). The package's
 * `fetch` option is the one per-stream closure: it times the request (connect_time), applies
 * the handshake timeout and the scenario's headers, and sees each reconnect begin.
 */
import type { ErrorClass } from '../metrics/error-classes.js';
import { EventSource } from 'eventsource';
import { nowUs } from '../load/clock.js';
import type { ClientConnection, ConnectionEnd, DialOptions, SseDriver, SseHandler } from './driver.js';
import { EventBytes, poolLimitFor, processPool } from './sse-event-bytes.js';

/** The message of the error that fails a body over the limit; classifyPackageError maps it to too_large. */
const TOO_LARGE_MESSAGE = 'rtbench: SSE event over the size limit';

interface EsState {
  handler: SseHandler;
  options: DialOptions;
  startedUs: number;
  connectUs: number;
  attempts: number;
  /** A request or response is in progress (false while the package waits to reconnect). */
  active: boolean;
  opened: boolean;
  closingByUs: boolean;
  ended: boolean;
  /** Raw bytes of the pending event, counted before the package parses them. */
  eventBytes: EventBytes;
}

/** The abort reason for a request that got no response head in time (not an AbortError, so the package retries it). */
class HandshakeTimeoutError extends Error {
  override readonly name = 'TimeoutError';
  constructor() {
    super('rtbench: no response head within the handshake timeout');
  }
}

/** The package's ErrorEvent: `code` is the HTTP status when there was one. */
interface PackageErrorEvent extends Event {
  code?: number;
  message?: string;
}

class ObservedEventSource extends EventSource {
  constructor(
    url: string,
    readonly state: EsState,
  ) {
    super(url, { fetch: (input, init) => timedFetch(state, input, init) });
  }

  override dispatchEvent(event: Event): boolean {
    const st = this.state;
    if (st.ended) return true;
    switch (event.type) {
      case 'open':
        st.opened = true;
        st.handler.onOpen(st.connectUs);
        break;
      case 'error':
        onError(this, st, event as PackageErrorEvent);
        break;
      default: {
        const m = event as MessageEvent;
        st.handler.onEvent(m.data, m.lastEventId || undefined, nowUs());
      }
    }
    return true;
  }
}

class EventSourceConnection implements ClientConnection {
  readonly bufferedBytes = 0;

  constructor(private readonly es: ObservedEventSource) {}

  send(): boolean {
    return false;
  }

  close(_graceMs: number): void {
    const st = this.es.state;
    if (st.ended) return;
    st.closingByUs = true;
    st.ended = true;
    // close() aborts the fetch quietly (no error event), so the end is reported here.
    this.es.close();
    process.nextTick(reportEnd, st, {
      initiatedByUs: true,
      wasOpen: st.opened,
      wireBytesSent: 0,
      wireBytesReceived: 0,
      betweenConnections: !st.active,
    });
  }
}

/** The `sse` driver over the `eventsource` package (`--sse-client eventsource`). */
export const eventSourceDriver: SseDriver = {
  open(url: string, options: DialOptions, handler: SseHandler): ClientConnection {
    const state: EsState = {
      handler,
      options,
      startedUs: 0,
      connectUs: 0,
      attempts: 0,
      active: true,
      opened: false,
      closingByUs: false,
      ended: false,
      eventBytes: new EventBytes(options.maxEventBytes, processPool(poolLimitFor(options.maxEventBytes))),
    };
    return new EventSourceConnection(new ObservedEventSource(url, state));
  },
};

async function timedFetch(st: EsState, input: string | URL, init: RequestInit | undefined): Promise<Response> {
  if (st.attempts++ > 0) st.handler.onReconnect();
  st.active = true;
  // A new response starts with no pending event (the last one, unfinished, was dropped).
  st.eventBytes.reset();
  const o = st.options;
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new HandshakeTimeoutError()), o.handshakeTimeoutMs);
  const signal = init?.signal ? AbortSignal.any([init.signal, timeout.signal]) : timeout.signal;
  const headers: Record<string, string> = { ...(init?.headers as Record<string, string> | undefined), ...o.headers };
  if (o.origin !== undefined) headers.Origin = o.origin;
  st.startedUs = nowUs();
  try {
    const res = await fetch(input, { ...init, headers, signal });
    st.connectUs = nowUs() - st.startedUs;
    if (res.status === 200 && (res.headers.get('content-type') ?? '').startsWith('text/event-stream') && res.body) {
      return new Response(res.body.pipeThrough(countedBody(st)), { status: res.status, headers: res.headers });
    }
    // The package fails the stream without reading a rejected body; release the socket now.
    await res.body?.cancel();
    return new Response(null, { status: res.status, headers: res.headers });
  } finally {
    clearTimeout(timer);
  }
}

/** Passes the body through, counting its bytes and failing it once the pending event is over the limit. */
function countedBody(st: EsState): TransformStream<Uint8Array, Uint8Array> {
  return new TransformStream({
    transform(chunk, controller) {
      st.handler.onBodyBytes(chunk.length);
      if (st.eventBytes.add(chunk) === 'ok') controller.enqueue(chunk);
      else controller.error(new Error(TOO_LARGE_MESSAGE));
    },
  });
}

function onError(es: ObservedEventSource, st: EsState, event: PackageErrorEvent): void {
  const wasOpen = st.opened;
  st.opened = false;
  st.active = false;
  const end: ConnectionEnd = {
    errorClass: classifyPackageError(event, wasOpen),
    initiatedByUs: false,
    wasOpen,
    wireBytesSent: 0,
    wireBytesReceived: 0,
  };
  // CLOSED: the package failed the connection (status, content type) and will not retry.
  if (es.readyState === EventSource.CLOSED || !st.handler.reconnectsStream) {
    es.close();
    st.ended = true;
    return reportEnd(st, end);
  }
  st.handler.onInterrupted(end);
}

function reportEnd(st: EsState, end: ConnectionEnd): void {
  st.eventBytes.reset();
  st.handler.onEnd(end);
}

/**
 * Error classes from the package's error event, matching the default driver's: the status
 * code for a failed connection, else the flattened message of the fetch error. No message
 * means the server ended the stream normally.
 */
export function classifyPackageError(event: { code?: number; message?: string }, wasOpen: boolean): ErrorClass | undefined {
  const message = event.message;
  if (event.code !== undefined && /status code|HTTP \d/.test(message ?? '')) return `sse_bad_status_${event.code}`;
  if (message === undefined) return wasOpen ? undefined : 'connect_failed';
  if (message.includes(TOO_LARGE_MESSAGE)) return 'too_large';
  if (/content type/i.test(message)) return 'sse_bad_content_type';
  if (/ECONNREFUSED/.test(message)) return 'connect_refused';
  if (/handshake timeout/.test(message)) return 'handshake_timeout';
  if (/EMFILE|ENFILE/.test(message)) return 'client_emfile';
  if (/EADDRNOTAVAIL/.test(message)) return 'client_eaddrnotavail';
  if (/ENOTFOUND|EAI_AGAIN/.test(message)) return 'dns_failed';
  if (/ECONNRESET|EPIPE|terminated|other side closed|socket hang up/i.test(message)) return 'reset';
  return wasOpen ? 'reset' : 'connect_failed';
}
