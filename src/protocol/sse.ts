/**
 * The default SSE driver: node:http / node:https requests whose bodies are parsed by
 * `eventsource-parser` (WHATWG HTML §9.2.6), reconnecting by the EventSource rules (§9.2.3).
 *
 * Why not the `eventsource` package (still available as `--sse-client eventsource`): it costs
 * three to four times the client memory per stream (fetch, web streams, EventTarget), and
 * memory per stream is what limits a generator holding many streams in one process
 * (docs/architecture.md §4). So this driver keeps:
 * - one object per stream (the {@link SseStream}, which is also the connection handed to the
 *   session), found by the module-level node event handlers through a symbol on the request
 *   and the response: no closures per stream;
 * - parser callbacks shared by every stream: `feed` calls back synchronously, so the stream
 *   being fed sits in a module variable for that call;
 * - no agent (`createConnection` instead): no socket pool to queue behind, no keep-alive
 *   bookkeeping; a stream owns its socket;
 * - a UTF-8 decoder only for streams whose chunks end inside a multi-byte character.
 *
 * Framing: node's HTTP parser handles chunked bodies and the seed's close-delimited one (no
 * Content-Length, no Transfer-Encoding: the body ends when the server closes, docs/hyperlane-wire.md §2).
 *
 * Reconnection (§9.2.3): a response that ends, or an attempt that fails with a network error,
 * reopens the stream after the reconnection time (3 s until the server sends `retry:`),
 * sending `Last-Event-ID` when an id was seen. A status other than 200 (204 included) or a
 * content type other than text/event-stream fails the stream for good: no retry loop
 * (docs/faults.md #16). Redirects are not followed: a load test should name the final URL.
 *
 * Error classes: connect_refused, connect_timeout (no TCP connection within the handshake
 * timeout), handshake_timeout (connected, no response head in time), reset (including a
 * chunked body cut before its last chunk), dns_failed, client_emfile, client_eaddrnotavail,
 * protocol_error (a response node's HTTP parser rejects), tls_error, too_large (an event larger than
 * `maxEventBytes` in raw body bytes, or this process's streams holding more than their pool),
 * sse_bad_status_<code>, sse_bad_content_type.
 */
import type { ErrorClass } from '../metrics/error-classes.js';
import { request as httpRequest, type ClientRequest, type ClientRequestArgs, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { connect as tlsConnect, type ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import { createParser, type EventSourceMessage, type EventSourceParser, type ParseError } from 'eventsource-parser';
import { nowUs } from '../load/clock.js';
import { classifySocketError } from './socket-errors.js';
import { EventBytes, poolLimitFor, processPool } from './sse-event-bytes.js';
import type { ClientConnection, ConnectionEnd, DialOptions, SseDriver, SseHandler } from './driver.js';

/** Reconnection time until the server sends `retry:` (the `eventsource` package's; browsers use a few seconds). */
export const DEFAULT_RETRY_MS = 3000;

const STREAM = Symbol('rtbench.sse');
const LF = 10;
const CR = 13;
const BOM = 0xfeff;

type Tagged<T> = T & { [STREAM]: SseStream };

/** Where a URL's requests go, parsed once per URL (a run has a few). */
interface Target {
  secure: boolean;
  host: string;
  port: number;
  path: string;
  /** SNI name for https (absent for IP literals, which SNI does not allow). */
  servername?: string;
}

/** The stream whose chunk the parser is reading now, and that chunk's receive time. */
let feeding: SseStream | undefined;
let feedingAtUs = 0;

/**
 * One SSE stream: the state of its current HTTP attempt and what survives reconnects (last
 * event id, reconnection time, parser). Also the {@link ClientConnection} the session holds.
 */
class SseStream implements ClientConnection {
  /** SSE never sends, so nothing is ever queued. */
  readonly bufferedBytes = 0;
  req: ClientRequest | undefined;
  res: IncomingMessage | undefined;
  parser: EventSourceParser | undefined;
  decoder: StringDecoder | undefined;
  timer: NodeJS.Timeout | undefined;
  /** WHATWG "last event ID string": survives events without an id, and reconnects. */
  lastEventId = '';
  retryMs = DEFAULT_RETRY_MS;
  startedUs = 0;
  /** The current attempt's response was accepted (200, text/event-stream). */
  opened = false;
  /** The current response's body ended cleanly (last chunk, or the close of a close-delimited body). */
  completed = false;
  /** Fail for good, whatever the reconnect policy (bad status or content type). */
  fatal = false;
  closingByUs = false;
  ended = false;
  errorClass: ErrorClass | undefined;
  /** The current response has produced text (the BOM check is over). */
  sawText = false;
  /** The previous chunk ended with CR, which was fed as CRLF: drop an LF that starts this one. */
  skipLf = false;
  /** Raw bytes of the pending event, counted before the parser (./sse-event-bytes.ts). */
  readonly eventBytes: EventBytes;

  constructor(
    readonly handler: SseHandler,
    readonly target: Target,
    readonly options: DialOptions,
  ) {
    this.eventBytes = new EventBytes(options.maxEventBytes, processPool(poolLimitFor(options.maxEventBytes)));
  }

  send(): boolean {
    return false;
  }

  /**
   * Ends the stream and stops reconnecting. SSE has no closing handshake, so there is nothing
   * to wait for: the socket is destroyed at once and `graceMs` does not apply.
   */
  close(_graceMs: number): void {
    if (this.ended || this.closingByUs) return;
    this.closingByUs = true;
    if (this.req) {
      this.req.destroy(); // the request's or response's close event finishes the attempt
      return;
    }
    // Waiting to reconnect: no socket. onEnd still comes asynchronously, as from a socket.
    clearTimer(this);
    process.nextTick(endStream, this, {
      initiatedByUs: true,
      wasOpen: false,
      wireBytesSent: 0,
      wireBytesReceived: 0,
      betweenConnections: true,
    });
  }
}

/** The `sse` driver over node:http (the default `--sse-client http`). */
export const sseDriver: SseDriver = {
  open(url: string, options: DialOptions, handler: SseHandler): ClientConnection {
    const stream = new SseStream(handler, targetOf(url), options);
    startAttempt(stream);
    return stream;
  },
};

const targets = new Map<string, Target>();

function targetOf(url: string): Target {
  let t = targets.get(url);
  if (t === undefined) {
    const u = new URL(url);
    const secure = u.protocol === 'https:';
    const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
    t = { secure, host, port: Number(u.port) || (secure ? 443 : 80), path: `${u.pathname}${u.search}` };
    if (secure && isIP(host) === 0) t.servername = host;
    targets.set(url, t);
  }
  return t;
}

function startAttempt(s: SseStream): void {
  const t = s.target;
  const o = s.options;
  s.errorClass = undefined;
  s.opened = false;
  s.completed = false;
  s.sawText = false;
  s.skipLf = false;
  s.decoder = undefined;
  // A browser's request: node alone would say `Connection: close`, which a server may treat
  // as a hint to end the stream. The socket is ours alone either way (no agent).
  const headers: Record<string, string> = {
    Accept: 'text/event-stream',
    'Cache-Control': 'no-cache',
    Connection: 'keep-alive',
    ...o.headers,
  };
  if (o.origin !== undefined) headers.Origin = o.origin;
  if (s.lastEventId !== '') {
    const value = lastEventIdHeader(s.lastEventId);
    if (value !== undefined) headers['Last-Event-ID'] = value;
  }
  s.startedUs = nowUs();
  const req = (t.secure ? httpsRequest : httpRequest)({
    host: t.host,
    port: t.port,
    path: t.path,
    method: 'GET',
    headers,
    localAddress: o.localAddress,
    servername: t.servername,
    rejectUnauthorized: !o.insecure,
    createConnection: t.secure ? connectTls : connectTcp,
  }) as Tagged<ClientRequest>;
  req[STREAM] = s;
  s.req = req;
  req.on('response', onResponse);
  req.on('error', onRequestError);
  req.on('close', onRequestClose);
  req.end();
  s.timer = setTimeout(onHandshakeTimeout, o.handshakeTimeoutMs, s);
}

/** What `createConnection` gets: the request's options, including those set in startAttempt. */
type ConnectOptions = ClientRequestArgs & { servername?: string; rejectUnauthorized?: boolean };

function connectTcp(opts: ConnectOptions): Socket {
  return netConnect({ host: opts.host ?? undefined, port: Number(opts.port), localAddress: opts.localAddress });
}

function connectTls(opts: ConnectOptions): Socket {
  return tlsConnect({
    host: opts.host ?? undefined,
    port: Number(opts.port),
    localAddress: opts.localAddress,
    servername: opts.servername,
    rejectUnauthorized: opts.rejectUnauthorized,
    ALPNProtocols: ['http/1.1'],
    // tls.connect hands its options to net.connect, which binds localAddress; the types omit it.
  } as TlsConnectionOptions);
}

/**
 * The header value for an id, as the UTF-8 bytes a browser sends (node writes header strings
 * as latin1, so the bytes go out unchanged). An id with control characters cannot be sent in
 * HTTP at all; node would throw, so such a stream reconnects without the header.
 */
export function lastEventIdHeader(id: string): string | undefined {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
  if (/[\x00-\x08\x0a-\x1f\x7f]/.test(id)) return undefined;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range, NUL included.
  return /[^\x00-\x7f]/.test(id) ? Buffer.from(id, 'utf8').toString('latin1') : id;
}

function onHandshakeTimeout(s: SseStream): void {
  s.timer = undefined;
  const req = s.req;
  if (req === undefined || s.res !== undefined) return;
  const socket = req.socket;
  s.errorClass ??= socket === null || socket.connecting ? 'connect_timeout' : 'handshake_timeout';
  req.destroy();
}

function onResponse(this: Tagged<ClientRequest>, res: IncomingMessage): void {
  const s = this[STREAM];
  if (s.req !== this) return void res.destroy();
  clearTimer(s);
  const status = res.statusCode ?? 0;
  // §9.2.3: anything but 200 with text/event-stream fails the connection; no reconnect.
  if (status !== 200) return rejectResponse(s, `sse_bad_status_${status}`);
  if (!isEventStream(res.headers['content-type'])) return rejectResponse(s, 'sse_bad_content_type');
  (res as Tagged<IncomingMessage>)[STREAM] = s;
  s.res = res;
  res.on('data', onData);
  res.on('end', onResponseEnd);
  res.on('error', onResponseError);
  res.on('close', onResponseClose);
  s.opened = true;
  if (s.parser === undefined) {
    s.parser = createParser({
      onEvent: onParsedEvent,
      onRetry: onParsedRetry,
      onError: onParseError,
      maxBufferSize: s.options.maxEventBytes,
    });
  }
  s.handler.onOpen(nowUs() - s.startedUs);
}

function rejectResponse(s: SseStream, errorClass: ErrorClass): void {
  s.errorClass = errorClass;
  s.fatal = true;
  finishAttempt(s);
}

/** The MIME type's essence is text/event-stream (parameters such as charset are allowed). */
function isEventStream(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const semi = contentType.indexOf(';');
  return (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase() === 'text/event-stream';
}

function onRequestError(this: Tagged<ClientRequest>, err: NodeJS.ErrnoException): void {
  const s = this[STREAM];
  if (s.req !== this || s.closingByUs) return;
  s.errorClass ??= classifySseError(err, s.opened);
}

function onRequestClose(this: Tagged<ClientRequest>): void {
  const s = this[STREAM];
  // Once a response is accepted, its own close finishes the attempt (it may come later).
  if (s.req === this && s.res === undefined) finishAttempt(s);
}

function onResponseEnd(this: Tagged<IncomingMessage>): void {
  const s = this[STREAM];
  if (s.res === this) s.completed = true;
}

function onResponseError(this: Tagged<IncomingMessage>, err: NodeJS.ErrnoException): void {
  const s = this[STREAM];
  if (s.res !== this || s.closingByUs) return;
  s.errorClass ??= classifySseError(err, true);
}

function onResponseClose(this: Tagged<IncomingMessage>): void {
  const s = this[STREAM];
  if (s.res === this) finishAttempt(s);
}

function onData(this: Tagged<IncomingMessage>, chunk: Buffer): void {
  const s = this[STREAM];
  if (s.res !== this || s.errorClass !== undefined) return;
  const atUs = nowUs();
  s.handler.onBodyBytes(chunk.length);
  // Counted before decoding and parsing, which hold each byte several times over.
  if (s.eventBytes.add(chunk) !== 'ok') {
    s.errorClass = 'too_large';
    s.res?.destroy();
    return;
  }
  // ASCII-ending chunks (nearly all) decode without a decoder; one is kept only for a stream
  // whose chunk ended inside a multi-byte character.
  let text =
    s.decoder === undefined && chunk[chunk.length - 1]! < 0x80
      ? chunk.toString('utf8')
      : (s.decoder ??= new StringDecoder('utf8')).write(chunk);
  if (!s.sawText) {
    if (text.length === 0) return;
    s.sawText = true;
    // §9.2.6 decodes with "UTF-8 decode", which strips one leading BOM; toString keeps it.
    if (text.charCodeAt(0) === BOM) text = text.slice(1);
  }
  if (s.skipLf) {
    s.skipLf = false;
    if (text.charCodeAt(0) === LF) text = text.slice(1);
  }
  // eventsource-parser holds a trailing CR until it sees whether LF follows, which would
  // delay (or, at the end of the body, drop) the event a CR-only server just finished. A CR
  // ends a line either way (§9.2.5), so feed it as CRLF now and drop the LF if it comes next.
  if (text.charCodeAt(text.length - 1) === CR) {
    text += '\n';
    s.skipLf = true;
  }
  feeding = s;
  feedingAtUs = atUs;
  try {
    s.parser!.feed(text);
  } finally {
    feeding = undefined;
  }
}

function onParsedEvent(event: EventSourceMessage): void {
  const s = feeding!;
  if (event.id !== undefined) s.lastEventId = event.id;
  s.handler.onEvent(event.data, event.id || undefined, feedingAtUs);
}

function onParsedRetry(retryMs: number): void {
  feeding!.retryMs = retryMs;
}

function onParseError(err: ParseError): void {
  // Unknown fields and bad retry values are ignored, as §9.2.6 says; only the size cap is fatal.
  if (err.type !== 'max-buffer-size-exceeded') return;
  const s = feeding!;
  s.errorClass ??= 'too_large';
  s.res?.destroy();
}

/** Ends the current attempt once; decides between reconnecting and ending the stream. */
function finishAttempt(s: SseStream): void {
  const req = s.req;
  if (req === undefined) return;
  s.req = undefined;
  s.res = undefined;
  clearTimer(s);
  const socket = req.socket;
  const wireBytesSent = socket?.bytesWritten ?? 0;
  const wireBytesReceived = socket?.bytesRead ?? 0;
  if (!req.destroyed) req.destroy();
  // §9.2.6: at the end of the body, an event without its closing blank line is discarded.
  s.parser?.reset();
  s.eventBytes.reset();
  const wasOpen = s.opened;
  s.opened = false;
  let errorClass = s.closingByUs ? undefined : s.errorClass;
  if (errorClass === undefined && !s.closingByUs) {
    if (!wasOpen) errorClass = 'connect_failed';
    else if (!s.completed) errorClass = 'reset';
  }
  const end: ConnectionEnd = { errorClass, initiatedByUs: s.closingByUs, wasOpen, wireBytesSent, wireBytesReceived };
  if (s.closingByUs || s.fatal || !s.handler.reconnectsStream) return endStream(s, end);
  s.handler.onInterrupted(end);
  s.timer = setTimeout(reconnect, s.retryMs, s);
}

function reconnect(s: SseStream): void {
  s.timer = undefined;
  if (s.ended || s.closingByUs) return;
  s.handler.onReconnect();
  startAttempt(s);
}

function endStream(s: SseStream, end: ConnectionEnd): void {
  if (s.ended) return;
  s.ended = true;
  s.parser = undefined;
  s.handler.onEnd(end);
}

function clearTimer(s: SseStream): void {
  if (s.timer !== undefined) {
    clearTimeout(s.timer);
    s.timer = undefined;
  }
}

/** Maps a socket or HTTP error to an error class (docs/result-format.md §5). */
export function classifySseError(err: NodeJS.ErrnoException, opened: boolean): ErrorClass {
  const socketClass = classifySocketError(err.code);
  if (socketClass) return socketClass;
  if (err.code?.startsWith('HPE_')) return 'protocol_error';
  return opened ? 'reset' : 'connect_failed';
}
