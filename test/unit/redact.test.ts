import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { redactDocument, redactHeaders, redactText, redactUrl, redactValue } from '../../dist/redact.js';

const mark = (value: string) => `<redacted:sha256:${createHash('sha256').update(value).digest('hex').slice(0, 8)}>`;

describe('redaction (src/redact.ts)', () => {
  it('marks a value with the first 8 hex digits of its SHA-256, once', () => {
    expect(redactValue('Bearer abc')).toBe(mark('Bearer abc'));
    expect(redactValue(redactValue('Bearer abc'))).toBe(mark('Bearer abc'));
    expect(redactValue('a')).not.toBe(redactValue('b'));
  });

  it('redacts credential headers and names that look like secrets, nothing else', () => {
    expect(
      redactHeaders({
        Authorization: 'Bearer x',
        'proxy-authorization': 'Basic y',
        Cookie: 'sid=1',
        'X-Api-Key': 'k',
        'X-Auth-Token': 't',
        'X-Client-Secret': 's',
        'X-Password': 'p',
        'X-Trace-Id': 'visible',
        Accept: 'text/plain',
      }),
    ).toEqual({
      Authorization: mark('Bearer x'),
      'proxy-authorization': mark('Basic y'),
      Cookie: mark('sid=1'),
      'X-Api-Key': mark('k'),
      'X-Auth-Token': mark('t'),
      'X-Client-Secret': mark('s'),
      'X-Password': mark('p'),
      'X-Trace-Id': 'visible',
      Accept: 'text/plain',
    });
  });

  it('redacts URL userinfo and query values, keeping host, path, names and fragment', () => {
    expect(redactUrl('wss://u:p@h.example:8443/a/b?token=t&x=1&flag#f')).toBe(
      `wss://${mark('u:p')}@h.example:8443/a/b?token=${mark('t')}&x=${mark('1')}&flag#f`,
    );
    expect(redactUrl('ws://127.0.0.1:9/ws')).toBe('ws://127.0.0.1:9/ws');
    expect(redactUrl('not a url')).toBe('not a url');
  });

  it('redacts URLs, credential headers, secret flags and assignments inside free text', () => {
    expect(redactText('no connection to ws://u:p@h/x?k=v could be opened')).toBe(
      `no connection to ws://${mark('u:p')}@h/x?k=${mark('v')} could be opened`,
    );
    expect(redactText("server command 'API_TOKEN=abc node s.js --password pw --port 3' exited")).toBe(
      `server command 'API_TOKEN=${mark('abc')} node s.js --password ${mark('pw')} --port 3' exited`,
    );
    expect(redactText('Authorization: Bearer x.y')).toBe(`Authorization: ${mark('Bearer x.y')}`);
    expect(redactText('target: the embedded reference server (profile strict)')).toBe(
      'target: the embedded reference server (profile strict)',
    );
  });

  it('walks a whole document: headers by name, strings as text, histograms untouched', () => {
    const doc = {
      scenario: { connection: { headers: { Cookie: 'c' } }, targetUrl: 'ws://h/?a=b' },
      notes: ['ws://u:p@h/'],
      metrics: { latency: { histogram: 'HISTFAAAAQ==', count: 1 } },
    };
    expect(redactDocument(doc)).toEqual({
      scenario: { connection: { headers: { Cookie: mark('c') } }, targetUrl: `ws://h/?a=${mark('b')}` },
      notes: [`ws://${mark('u:p')}@h/`],
      metrics: { latency: { histogram: 'HISTFAAAAQ==', count: 1 } },
    });
    expect(doc.scenario.connection.headers.Cookie).toBe('c');
  });
});
