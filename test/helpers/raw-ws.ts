/**
 * A raw WebSocket client for tests that must see frames exactly as they are on the wire
 * (opcodes, FIN bits, a missing close frame, an unanswered ping), which `ws` would hide.
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { connectTcp, readUntil } from './raw-http.js';

/** One server frame as received. */
export interface WireFrame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
}

/** A raw client after a successful handshake. */
export interface RawWsClient {
  socket: Socket;
  /** The key sent in `Sec-WebSocket-Key`. */
  key: string;
  /** The response head, up to and including the blank line. */
  head: string;
  /** Every frame received so far, in order (appended as bytes arrive). */
  frames: WireFrame[];
  /** True once the server has closed the TCP connection (FIN or reset). */
  isClosed(): boolean;
  /** Resolves when the TCP connection has closed. */
  closed: Promise<void>;
  /** Writes one masked client frame. */
  send(opcode: number, payload: Buffer | string, opts?: { fin?: boolean }): void;
}

/** Builds a masked client frame (RFC 6455 §5.2) with any opcode and FIN bit. */
export function clientFrame(opcode: number, payload: Buffer | string, fin = true): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const len = data.length;
  const lenBytes = len < 126 ? 0 : len < 65536 ? 2 : 8;
  const header = Buffer.alloc(2 + lenBytes + 4);
  header[0] = (fin ? 0x80 : 0) | opcode;
  header[1] = 0x80 | (len < 126 ? len : len < 65536 ? 126 : 127);
  if (lenBytes === 2) header.writeUInt16BE(len, 2);
  if (lenBytes === 8) header.writeBigUInt64BE(BigInt(len), 2);
  const mask = randomBytes(4);
  mask.copy(header, 2 + lenBytes);
  const masked = Buffer.alloc(len);
  for (let i = 0; i < len; i++) masked[i] = data[i]! ^ mask[i & 3]!;
  return Buffer.concat([header, masked]);
}

/** Parses unmasked server frames out of `buf`, returning them and the unparsed rest. */
export function parseServerFrames(buf: Buffer): { frames: WireFrame[]; rest: Buffer } {
  const frames: WireFrame[] = [];
  let at = 0;
  for (;;) {
    if (buf.length - at < 2) break;
    const len7 = buf[at + 1]! & 0x7f;
    const lenBytes = len7 === 126 ? 2 : len7 === 127 ? 8 : 0;
    if (buf.length - at < 2 + lenBytes) break;
    const len = len7 === 126 ? buf.readUInt16BE(at + 2) : len7 === 127 ? Number(buf.readBigUInt64BE(at + 2)) : len7;
    const start = at + 2 + lenBytes;
    if (buf.length < start + len) break;
    frames.push({ fin: (buf[at]! & 0x80) !== 0, opcode: buf[at]! & 0x0f, payload: Buffer.from(buf.subarray(start, start + len)) });
    at = start + len;
  }
  return { frames, rest: buf.subarray(at) };
}

/**
 * Opens a TCP connection, sends an upgrade request for `path` (with `extraHeaders`, and `key`
 * when given) and resolves after the 101; frames are then collected as they arrive. With
 * `paused`, the socket stops reading right after the handshake (a stalled client), and frames
 * are only collected once the caller resumes it.
 */
export async function rawWebSocket(
  port: number,
  path: string,
  opts: { key?: string; extraHeaders?: string[]; paused?: boolean } = {},
): Promise<RawWsClient> {
  const socket = await connectTcp(port);
  socket.on('error', () => {});
  const key = opts.key ?? randomBytes(16).toString('base64');
  const lines = [
    `GET ${path} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Key: ${key}`,
    'Sec-WebSocket-Version: 13',
    ...(opts.extraHeaders ?? []),
  ];
  socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  const first = await readUntil(socket, (b) => b.includes('\r\n\r\n'));
  const end = first.indexOf('\r\n\r\n') + 4;
  const head = first.subarray(0, end).toString('latin1');
  if (!head.startsWith('HTTP/1.1 101 ')) {
    socket.destroy();
    throw new Error(`handshake failed: ${head}`);
  }
  if (opts.paused) socket.pause();
  const frames: WireFrame[] = [];
  let pending = Buffer.from(first.subarray(end));
  let isClosed = false;
  const take = (chunk: Buffer): void => {
    const parsed = parseServerFrames(pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk);
    for (const f of parsed.frames) frames.push(f);
    pending = Buffer.from(parsed.rest);
  };
  take(Buffer.alloc(0));
  socket.on('data', take);
  const closed = new Promise<void>((resolve) =>
    socket.once('close', () => {
      isClosed = true;
      resolve();
    }),
  );
  return {
    socket,
    key,
    head,
    frames,
    isClosed: () => isClosed,
    closed,
    send: (opcode, payload, o = {}) => void socket.write(clientFrame(opcode, payload, o.fin ?? true)),
  };
}
