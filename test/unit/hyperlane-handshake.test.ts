/** The handshake answer of the Hyperlane profiles (docs/hyperlane-wire.md §1, "Handshake response"). */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hyperlaneAcceptKey, hyperlaneHandshakeResponse } from '../../dist/server/hyperlane/handshake.js';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

describe('hyperlaneAcceptKey', () => {
  it('gives the RFC 6455 §1.3 example value for a conforming key', () => {
    expect(hyperlaneAcceptKey('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  it('hashes only the first 24 bytes of a longer key, and zero-pads a shorter one', () => {
    expect(hyperlaneAcceptKey('dGhlIHNhbXBsZSBub25jZQ==EXTRA')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    const padded = Buffer.concat([Buffer.from('short'), Buffer.alloc(19), Buffer.from(GUID)]);
    expect(hyperlaneAcceptKey('short')).toBe(createHash('sha1').update(padded).digest('base64'));
    // ... which is not what RFC 6455 gives for that key.
    expect(hyperlaneAcceptKey('short')).not.toBe(createHash('sha1').update(`short${GUID}`).digest('base64'));
  });
});

describe('hyperlaneHandshakeResponse', () => {
  it('is a 101 with Upgrade, Connection, Accept and the builder defaults, and nothing negotiated', () => {
    expect(hyperlaneHandshakeResponse('dGhlIHNhbXBsZSBub25jZQ==')).toBe(
      'HTTP/1.1 101 Switching Protocols\r\n' +
        'content-length:0\r\n' +
        'connection:upgrade\r\n' +
        'upgrade:websocket\r\n' +
        'sec-websocket-accept:s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n' +
        'content-type:text/html; charset=utf-8\r\n\r\n',
    );
  });
});
