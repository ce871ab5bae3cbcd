/**
 * The reporter contract and registry. A reporter turns a RunResult into a string; the CLI
 * decides where it goes. yargs `choices` come from the registry's keys.
 */
import type { RunResult } from '../metrics/result.js';
import { jsonReporter } from './json.js';
import { tableReporter } from './table.js';

export interface ReportOptions {
  /** ANSI colours (the CLI sets it from the TTY and NO_COLOR). */
  color: boolean;
}

export interface Reporter {
  readonly format: string;
  render(result: RunResult, options: ReportOptions): string;
}

export const reporters = { table: tableReporter, json: jsonReporter } satisfies Record<string, Reporter>;

export type ReportFormat = keyof typeof reporters;
