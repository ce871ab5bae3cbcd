/**
 * Error classes for failures below the protocol (TCP, DNS, TLS, client resource limits),
 * shared by every driver so the same failure reads the same in WebSocket and SSE runs.
 */
import type { ErrorClass } from '../metrics/error-classes.js';

/** The class of a socket-level error code, or undefined when the code is not one of them. */
export function classifySocketError(code: string | undefined): ErrorClass | undefined {
  switch (code) {
    case undefined:
      return undefined;
    case 'ECONNREFUSED':
      return 'connect_refused';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'reset';
    case 'ETIMEDOUT':
      return 'connect_timeout';
    case 'EMFILE':
    case 'ENFILE':
      return 'client_emfile';
    case 'EADDRNOTAVAIL':
      return 'client_eaddrnotavail';
    case 'EADDRINUSE':
      return 'client_eaddrinuse';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'dns_failed';
  }
  // Certificate and handshake failures (DEPTH_ZERO_SELF_SIGNED_CERT, ERR_TLS_CERT_ALTNAME_INVALID, ...).
  if (/CERT|SELF_SIGNED|TLS|SSL|VERIFY/.test(code)) return 'tls_error';
  return undefined;
}
