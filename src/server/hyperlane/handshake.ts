/**
 * The WebSocket handshake answer of the Hyperlane profiles, written by hand on the upgraded
 * socket (docs/hyperlane-wire.md §1, "Handshake response"): status 101 with `Upgrade`, `Connection` and
 * `Sec-WebSocket-Accept`, plus the `Content-Type` and `Content-Length: 0` that Hyperlane's
 * response builder adds to every response. No subprotocol and no extension is ever offered, so
 * permessage-deflate is never negotiated.
 */
import { createHash } from 'node:crypto';

/** RFC 6455 §1.3: the GUID appended to the key before hashing. */
const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** Hyperlane hashes a fixed 24-byte key slot (the length of a conforming base64 key). */
const KEY_SLOT_BYTES = 24;

/**
 * `Sec-WebSocket-Accept` as Hyperlane computes it: SHA-1 over the first 24 bytes of the key,
 * zero-padded when shorter, followed by the GUID, in base64. For a conforming key (always 24
 * characters) this is the RFC 6455 §4.2.2 value; any other length gives Hyperlane's value.
 */
export function hyperlaneAcceptKey(key: string): string {
  const slot = Buffer.alloc(KEY_SLOT_BYTES);
  Buffer.from(key, 'latin1').copy(slot, 0, 0, KEY_SLOT_BYTES);
  return createHash('sha1').update(slot).update(WS_GUID, 'latin1').digest('base64');
}

/** The complete 101 response head (ending with the blank line) for the given client key. */
export function hyperlaneHandshakeResponse(key: string): string {
  return (
    'HTTP/1.1 101 Switching Protocols\r\n' +
    'Upgrade: websocket\r\n' +
    'Connection: Upgrade\r\n' +
    `Sec-WebSocket-Accept: ${hyperlaneAcceptKey(key)}\r\n` +
    'Content-Type: text/html; charset=utf-8\r\n' +
    'Content-Length: 0\r\n' +
    '\r\n'
  );
}
