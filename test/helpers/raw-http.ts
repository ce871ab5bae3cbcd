/**
 * Raw TCP clients for tests that must see exact bytes (the seed's /sse body) or misbehave on
 * purpose (a WebSocket client that completes the handshake and then never reads).
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/** Opens a TCP connection to 127.0.0.1:`port`. */
export function connectTcp(port: number, host = '127.0.0.1'): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Everything the server sent until it closed the connection, with the time it took. */
export interface RawExchange {
  bytes: Buffer;
  elapsedMs: number;
}

/** Writes `request` as is and collects every byte until the server closes (or `timeoutMs`). */
export async function rawExchange(port: number, request: string, timeoutMs = 5000): Promise<RawExchange> {
  const socket = await connectTcp(port);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`server did not close within ${timeoutMs} ms; got ${JSON.stringify(Buffer.concat(chunks).toString('latin1'))}`));
    }, timeoutMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.once('close', () => {
      clearTimeout(timer);
      resolve({ bytes: Buffer.concat(chunks), elapsedMs: performance.now() - started });
    });
    socket.write(request);
  });
}

/** Splits an HTTP response at the blank line after its head. */
export function splitHead(bytes: Buffer): { head: string; body: Buffer } {
  const end = bytes.indexOf('\r\n\r\n');
  if (end === -1) throw new Error(`no end of head in ${JSON.stringify(bytes.toString('latin1'))}`);
  return { head: bytes.subarray(0, end + 4).toString('latin1'), body: bytes.subarray(end + 4) };
}

/** Reads from `socket` until `predicate` holds for the bytes so far (or `timeoutMs`). */
export function readUntil(socket: Socket, predicate: (soFar: Buffer) => boolean, timeoutMs = 5000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let soFar = Buffer.alloc(0);
    const done = (err?: Error): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      if (err) reject(err);
      else resolve(soFar);
    };
    const onData = (c: Buffer): void => {
      soFar = Buffer.concat([soFar, c]);
      if (predicate(soFar)) done();
    };
    const onClose = (): void => done(new Error(`closed before the expected bytes; got ${JSON.stringify(soFar.toString('latin1'))}`));
    const timer = setTimeout(() => done(new Error(`timed out; got ${JSON.stringify(soFar.toString('latin1'))}`)), timeoutMs);
    socket.on('data', onData);
    socket.once('close', onClose);
  });
}

/**
 * Completes a WebSocket handshake on `path` by hand (RFC 6455 §4.1) and returns the socket,
 * paused: it never reads again, so the server's writes to it pile up, as with a stalled client.
 */
export async function stalledWebSocketClient(port: number, path: string): Promise<Socket> {
  const socket = await connectTcp(port);
  socket.on('error', () => {});
  const key = randomBytes(16).toString('base64');
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  );
  const head = await readUntil(socket, (b) => b.includes('\r\n\r\n'));
  if (!head.toString('latin1').startsWith('HTTP/1.1 101 ')) {
    socket.destroy();
    throw new Error(`handshake failed: ${head.toString('latin1')}`);
  }
  socket.pause();
  return socket;
}
