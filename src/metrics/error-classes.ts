/**
 * Every error class rtbench counts (docs/result-format.md). Per-connection failures are never
 * thrown: drivers and roles name them with one of these, and the recorder counts them.
 */
export type ErrorClass =
  // Opening a connection.
  | 'connect_refused'
  | 'connect_timeout'
  | 'connect_failed'
  | 'dns_failed'
  | 'tls_error'
  | 'handshake_timeout'
  | 'handshake_protocol'
  | `handshake_status_${number}`
  // Client-side limits (this machine, not the server).
  | 'client_emfile'
  | 'client_eaddrnotavail'
  | 'client_eaddrinuse'
  // An open connection.
  | `closed_${number}`
  | 'reset'
  | 'too_large'
  | 'invalid_utf8'
  | 'protocol_error'
  // SSE responses.
  | `sse_bad_status_${number}`
  | 'sse_bad_content_type'
  // Messages given up.
  | 'reply_timeout'
  | 'outstanding_limit';
