/**
 * Secrets never leave rtbench in clear text: every output (result JSON, rounds files, md, html,
 * hgrm headers, progress and error lines) goes through these functions first.
 *
 * What counts as a secret: the values of `Authorization`, `Proxy-Authorization`, `Cookie` and
 * of any header whose name looks like a token, key, secret, password, session or credential;
 * a URL's userinfo and every query value; in a command line, the value of such a flag or
 * environment assignment. Each is replaced by `<redacted:sha256:xxxxxxxx>`, the first 8 hex
 * digits of its SHA-256: two runs with different tokens still read differently, and a reader
 * can check a value they hold, but 32 bits of hash do not give a strong token back. A weak
 * password can be guessed from it by brute force, as from any unsalted hash: do not use one.
 * Redacting twice changes nothing, so readers can apply it to files written before.
 */
import { createHash } from 'node:crypto';

const MARK = /^<redacted:sha256:[0-9a-f]{8}>$/;
/** Header names that always carry credentials. */
const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);
/** Header, flag or variable names that look like they carry one. */
const SECRET_NAME = /token|secret|passw|pwd|api[-_]?key|(^|[-_])key($|[-_])|auth|session|credential|cookie|signature/i;
/** A URL inside free text: scheme to the first space, quote or bracket. */
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`)\]]+/gi;
/** `Authorization: Bearer abc` and the like inside free text, to the end of the line or quote. */
const HEADER_IN_TEXT = /\b((?:proxy-)?authorization|cookie)(\s*:\s*)([^\n"']+)/gi;
/** `TOKEN=abc`, `--api-key xyz`, `--password=p`: a secret-looking name, then its value. */
const FLAG_IN_TEXT = /(--?[\w-]*(?:token|secret|passw(?:or)?d|pwd|api[-_]?key)[\w-]*)(=|\s+)(?!<redacted)([^\s'"]+)/gi;
const ASSIGN_IN_TEXT = /\b([\w-]*(?:token|secret|passw(?:or)?d|pwd|api[-_]?key)[\w-]*)(=)(?!<redacted)([^\s'"&]+)/gi;
/** Cheap test before the regular expressions run. */
const QUICK_CHECK = /:\/\/|authorization|cookie|token|secret|passw|pwd|api[-_]?key/i;

/** `<redacted:sha256:xxxxxxxx>` for `value`; a value already redacted stays as it is. */
export function redactValue(value: string): string {
  if (MARK.test(value)) return value;
  return `<redacted:sha256:${createHash('sha256').update(value).digest('hex').slice(0, 8)}>`;
}

/** True when a header of this name carries a secret. */
export function isSecretHeader(name: string): boolean {
  return SECRET_HEADERS.has(name.toLowerCase()) || SECRET_NAME.test(name);
}

/** A copy of `headers` with each secret value redacted. */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) out[name] = isSecretHeader(name) ? redactValue(String(value)) : value;
  return out;
}

/**
 * `url` with its userinfo and query values redacted (names kept, so `?token=` still shows which
 * parameter was set). Text that is not a URL is returned unchanged. Built by hand rather than
 * through `URL`, which would percent-encode the marks.
 */
export function redactUrl(url: string): string {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)([^?#]*)(\?[^#]*)?(#.*)?$/i.exec(url);
  if (!m) return url;
  const [, scheme, authority, path, query, fragment] = m;
  const at = authority!.lastIndexOf('@');
  const host = at === -1 ? authority! : `${redactValue(authority!.slice(0, at))}@${authority!.slice(at + 1)}`;
  const q =
    query === undefined
      ? ''
      : `?${query
          .slice(1)
          .split('&')
          .map((pair) => {
            const eq = pair.indexOf('=');
            return eq === -1 || eq === pair.length - 1 ? pair : `${pair.slice(0, eq)}=${redactValue(pair.slice(eq + 1))}`;
          })
          .join('&')}`;
  return `${scheme}${host}${path}${q}${fragment ?? ''}`;
}

/**
 * Free text (an error, a note, a progress line, a `--server` command) with every URL, credential
 * header, and secret-looking flag or environment assignment in it redacted:
 * `TOKEN=abc node s.js --api-key xyz` keeps its shape, not its secrets.
 */
export function redactText(text: string): string {
  if (!QUICK_CHECK.test(text)) return text;
  return text
    .replace(URL_IN_TEXT, (url) => redactUrl(url))
    .replace(HEADER_IN_TEXT, (_all, name: string, sep: string, value: string) => `${name}${sep}${redactValue(value.trim())}`)
    .replace(FLAG_IN_TEXT, (_all, name: string, sep: string, value: string) => `${name}${sep}${redactValue(value)}`)
    .replace(ASSIGN_IN_TEXT, (_all, name: string, sep: string, value: string) => `${name}${sep}${redactValue(value)}`);
}

/**
 * A deep copy of a JSON document (a result, a rounds file) with secrets redacted: every
 * `headers` object by header name, every other string by `redactText`. Histograms and numbers pass through untouched.
 */
export function redactDocument<T>(doc: T): T {
  return walk(doc, '') as T;
}

function walk(value: unknown, key: string): unknown {
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map((v) => walk(v, ''));
  if (value === null || typeof value !== 'object') return value;
  if (key === 'headers') return redactHeaders(value as Record<string, string>);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = k === 'histogram' ? v : walk(v, k);
  return out;
}
