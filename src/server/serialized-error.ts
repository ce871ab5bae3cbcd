/**
 * Errors carried over IPC between the server's processes (embedded child, cluster primary and
 * workers): a plain object that survives JSON, and back into the `RtbenchError` it came from, so
 * that a taken port still ends the command with exit code 2 and the same one-line message.
 */
import { ExitCode, RtbenchError, UsageError } from '../errors.js';

/** An error carried across the process boundary with the exit code it maps to. */
export interface SerializedServerError {
  message: string;
  exitCode: number;
  hint?: string;
}

/** Any thrown value as a `SerializedServerError`; non-rtbench errors map to exit code 1. */
export function serializeError(err: unknown): SerializedServerError {
  if (err instanceof RtbenchError) return { message: err.message, exitCode: err.exitCode, ...(err.hint ? { hint: err.hint } : {}) };
  return { message: err instanceof Error ? err.message : String(err), exitCode: ExitCode.Internal };
}

/** The error again: a `UsageError` for exit code 2, otherwise an `RtbenchError` with its code. */
export function rebuildError(e: SerializedServerError): RtbenchError {
  return e.exitCode === ExitCode.Usage ? new UsageError(e.message, e.hint) : new RtbenchError(e.message, e.exitCode, e.hint);
}
