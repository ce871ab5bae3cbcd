/**
 * Errors that end a command, each carrying the exit code it maps to (docs/architecture.md §10).
 * Per-connection failures are never thrown: they are counted by class in the recorder.
 */

/** Process exit codes. Documented in `--help` and the README; never reused. */
export enum ExitCode {
  Ok = 0,
  Internal = 1,
  Usage = 2,
  Unreachable = 3,
  GateFailed = 4,
  Interrupted = 130,
}

/** Base class: a message for the user, the exit code, and an optional hint line. */
export class RtbenchError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    readonly hint?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A bad flag or flag combination. */
export class UsageError extends RtbenchError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.Usage, hint);
  }
}

/** One problem found while validating a scenario or option set, with the field path. */
export interface ValidationIssue {
  path: string;
  message: string;
}

/** A scenario or configuration that failed validation: every issue, one per line. */
export class ConfigError extends RtbenchError {
  constructor(
    readonly source: string,
    readonly issues: ValidationIssue[],
  ) {
    super(issues.map((i) => `${source}: ${i.path ? `${i.path}: ` : ''}${i.message}`).join('\n'), ExitCode.Usage);
  }
}
