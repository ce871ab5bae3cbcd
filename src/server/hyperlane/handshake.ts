/**
 * The WebSocket handshake answer of the Hyperlane profiles, written by hand on the upgraded
 * socket (docs/hyperlane-wire.md §1, "Handshake response"): status 101 with `upgrade`, `connection` and
 * `sec-websocket-accept`, plus the `content-type` and `content-length:0` that Hyperlane's
 * response builder adds to every response, byte for byte as hyperlane 22.1.0 writes them
 * (lower-case names, no space after the colon, in its hash map's order: arena/hyperlane).
 * No subprotocol and no extension is ever offered, so permessage-deflate is never negotiated.
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
    'content-length:0\r\n' +
    'connection:upgrade\r\n' +
    'upgrade:websocket\r\n' +
    `sec-websocket-accept:${hyperlaneAcceptKey(key)}\r\n` +
    'content-type:text/html; charset=utf-8\r\n' +
    '\r\n'
  );
}
