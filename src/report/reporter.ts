/**
 * The reporter contract: a reporter turns a RunResult into a string; the CLI decides where it
 * goes. The registry of reporters is reporters.ts.
 */
import type { RunResult } from '../metrics/result.js';

export interface ReportOptions {
  /** ANSI colours (the CLI sets it from the TTY and NO_COLOR). */
  color: boolean;
}

export interface Reporter {
  readonly format: string;
  render(result: RunResult, options: ReportOptions): string;
}
