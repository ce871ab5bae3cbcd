/**
 * Reading an SSE event's place in the stream: the reference server's stamp and bare integers
 * (the seed's data, numeric ids), and the error classes both SSE drivers map failures to.
 */
import { describe, expect, it } from 'vitest';
import { readEventStamp, readSequenceNumber, type EventStamp } from '../../dist/protocol/sse-stamp.js';
import { classifySseError, lastEventIdHeader } from '../../dist/protocol/sse.js';
import { classifyPackageError } from '../../dist/protocol/sse-eventsource.js';

function stampOf(data: string): EventStamp | undefined {
  const out: EventStamp = { seq: -1, tNs: -1 };
  return readEventStamp(data, out) ? out : undefined;
}

describe('readEventStamp', () => {
  it("reads the reference server's stamp, t quoted (as /sse/ticks writes it) or bare", () => {
    expect(stampOf('{"seq":42,"t":"1480120494954123"}')).toEqual({ seq: 42, tNs: 1480120494954123 });
    expect(stampOf('{"seq":0,"t":17}')).toEqual({ seq: 0, tNs: 17 });
    expect(stampOf('{"seq": 7, "t": "99"}')).toEqual({ seq: 7, tNs: 99 });
  });

  it('ignores what a trailing field adds, and rejects anything that is not the stamp', () => {
    expect(stampOf('{"seq":1,"t":"5","pad":"xxxx"}')).toEqual({ seq: 1, tNs: 5 });
    for (const data of [
      '',
      '0',
      'hello',
      '{"t":"5","seq":1}',
      '{"seq":,"t":"5"}',
      '{"seq":1,"t":""}',
      '{"seq":1,"t":"5',
      '{"seq":-1,"t":"5"}',
      '{"seq":1}',
      '{"seq":1234567890123456,"t":"5"}',
    ]) {
      expect(stampOf(data), data).toBeUndefined();
    }
  });
});

describe('readSequenceNumber', () => {
  it('reads whole non-negative integers of up to 15 digits, else -1', () => {
    expect(readSequenceNumber('0')).toBe(0);
    expect(readSequenceNumber('9')).toBe(9);
    expect(readSequenceNumber('123456789012345')).toBe(123456789012345);
    for (const text of ['', '-1', '1.5', ' 1', '1a', '0x10', '1234567890123456']) expect(readSequenceNumber(text), text).toBe(-1);
  });
});

describe('SSE error classes', () => {
  it('maps socket and HTTP parser errors (default driver)', () => {
    const err = (code: string, message = code) => Object.assign(new Error(message), { code });
    expect(classifySseError(err('ECONNREFUSED'), false)).toBe('connect_refused');
    expect(classifySseError(err('ECONNRESET'), true)).toBe('reset');
    expect(classifySseError(err('ETIMEDOUT'), false)).toBe('connect_timeout');
    expect(classifySseError(err('EMFILE'), false)).toBe('client_emfile');
    expect(classifySseError(err('EADDRNOTAVAIL'), false)).toBe('client_eaddrnotavail');
    expect(classifySseError(err('ENOTFOUND'), false)).toBe('dns_failed');
    expect(classifySseError(err('HPE_INVALID_CONSTANT'), false)).toBe('protocol_error');
    expect(classifySseError(err('ERR_TLS_CERT_ALTNAME_INVALID'), false)).toBe('tls_error');
    expect(classifySseError(err('DEPTH_ZERO_SELF_SIGNED_CERT'), false)).toBe('tls_error');
    expect(classifySseError(err('EWHATEVER'), false)).toBe('connect_failed');
    expect(classifySseError(err('EWHATEVER'), true)).toBe('reset');
  });

  it("maps the eventsource package's error events to the same classes", () => {
    expect(classifyPackageError({ code: 500, message: 'Non-200 status code (500)' }, false)).toBe('sse_bad_status_500');
    expect(classifyPackageError({ code: 204, message: 'Server sent HTTP 204, not reconnecting' }, false)).toBe('sse_bad_status_204');
    expect(classifyPackageError({ code: 200, message: 'Invalid content type, expected "text/event-stream"' }, false)).toBe(
      'sse_bad_content_type',
    );
    expect(classifyPackageError({ message: 'TypeError: fetch failed: connect ECONNREFUSED 127.0.0.1:9' }, false)).toBe('connect_refused');
    expect(classifyPackageError({ message: 'TypeError: terminated: other side closed' }, true)).toBe('reset');
    expect(classifyPackageError({ message: 'TimeoutError: rtbench: no response head within the handshake timeout' }, false)).toBe(
      'handshake_timeout',
    );
    // No message: the server ended the stream, which is not an error.
    expect(classifyPackageError({}, true)).toBeUndefined();
  });
});

describe('Last-Event-ID header values', () => {
  it('sends ASCII ids as they are, others as their UTF-8 bytes, none with control characters', () => {
    expect(lastEventIdHeader('42')).toBe('42');
    expect(lastEventIdHeader('a\tb')).toBe('a\tb');
    expect(Buffer.from(lastEventIdHeader('é€')!, 'latin1').toString('utf8')).toBe('é€');
    expect(lastEventIdHeader('a\x01b')).toBeUndefined();
    expect(lastEventIdHeader('a\x7fb')).toBeUndefined();
  });
});
