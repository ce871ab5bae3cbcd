/**
 * Raw SSE servers for driver tests: each request's head is parsed by hand and the test writes
 * exact bytes (CR-only line ends, a BOM, chunk splits, a body cut mid-way, bad statuses), which
 * node's http server would normalise or refuse to send.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { DialOptions, SseHandler } from '../../dist/protocol/driver.js';

/** One request as the server saw it. */
export interface SeenRequest {
  index: number;
  path: string;
  headers: Record<string, string>;
}

export interface RawSseServer {
  port: number;
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

/** Answers each request with `respond(socket, request)`; the socket is the test's to write and close. */
export function rawSseServer(respond: (socket: Socket, req: SeenRequest) => void | Promise<void>): Promise<RawSseServer> {
  const sockets = new Set<Socket>();
  const requests: SeenRequest[] = [];
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let head = '';
    const onData = (chunk: Buffer): void => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      const [requestLine = '', ...lines] = head.slice(0, end).split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const i = line.indexOf(':');
        headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      const req = { index: requests.length, path: requestLine.split(' ')[1] ?? '/', headers };
      requests.push(req);
      void respond(socket, req);
    };
    socket.on('data', onData);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      resolve({
        port,
        url: `http://127.0.0.1:${port}/`,
        requests,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

/** The seed's head: 200, text/event-stream, no length, no chunking (the body ends at the close). */
export const CLOSE_DELIMITED_HEAD = 'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: keep-alive\r\n\r\n';
export const CHUNKED_HEAD = 'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n';

/** One HTTP/1.1 chunk holding `text`. */
export function chunk(text: string | Buffer): Buffer {
  const body = typeof text === 'string' ? Buffer.from(text) : text;
  return Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n')]);
}

export const LAST_CHUNK = '0\r\n\r\n';

/** Writes `parts` one by one with `gapMs` between them (so each lands as its own read). */
export async function writeSlowly(socket: Socket, parts: Array<string | Buffer>, gapMs = 15): Promise<void> {
  for (const p of parts) {
    if (socket.destroyed) return;
    socket.write(p);
    await new Promise((r) => setTimeout(r, gapMs));
  }
}

/** What a driver reported for one stream, in order. */
export interface StreamLog {
  events: Array<{ data: string; id: string | undefined }>;
  opens: number;
  interruptions: Array<string | undefined>;
  reconnects: number;
  bodyBytes: number;
  end?: { errorClass?: string; wasOpen: boolean; initiatedByUs: boolean; betweenConnections?: boolean };
}

/** A handler that logs everything; `ended` resolves with the log at onEnd. */
export function recordingHandler(reconnectsStream: boolean): { handler: SseHandler; log: StreamLog; ended: Promise<StreamLog> } {
  const log: StreamLog = { events: [], opens: 0, interruptions: [], reconnects: 0, bodyBytes: 0 };
  let done!: (l: StreamLog) => void;
  const ended = new Promise<StreamLog>((r) => (done = r));
  const handler: SseHandler = {
    reconnectsStream,
    onOpen: () => void log.opens++,
    onMessage: () => {},
    onBodyBytes: (n) => void (log.bodyBytes += n),
    onEvent: (data, id) => void log.events.push({ data, id }),
    onInterrupted: (end) => void log.interruptions.push(end.errorClass),
    onReconnect: () => void log.reconnects++,
    onEnd: (end) => {
      log.end = { errorClass: end.errorClass, wasOpen: end.wasOpen, initiatedByUs: end.initiatedByUs };
      if (end.betweenConnections) log.end.betweenConnections = true;
      done(log);
    },
  };
  return { handler, log, ended };
}

/** Dial options as a scenario's defaults would give them. */
export const DIAL: DialOptions = {
  handshakeTimeoutMs: 2000,
  replyTimeoutMs: 10_000,
  maxMessageBytes: 1024 * 1024,
  maxEventBytes: 1024 * 1024,
  reconnect: false,
  headers: {},
  subprotocols: [],
  insecure: false,
  deflate: false,
};
