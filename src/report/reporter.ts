/**
 * The reporter contract and registry. A reporter turns a RunResult into a string; the CLI
 * decides where it goes. yargs `choices` come from REPORT_FORMATS (formats.ts, cheap to load),
 * which the `satisfies` below ties to this registry's keys. Comparisons: comparison-reporter.ts.
 */
import type { RunResult } from '../metrics/result.js';
import type { REPORT_FORMATS } from './formats.js';
import { hgrmReporter } from './hgrm.js';
import { htmlReporter } from './html.js';
import { jsonReporter } from './json.js';
import { mdReporter } from './md.js';
import { tableReporter } from './table.js';

export interface ReportOptions {
  /** ANSI colours (the CLI sets it from the TTY and NO_COLOR). */
  color: boolean;
}

export interface Reporter {
  readonly format: string;
  render(result: RunResult, options: ReportOptions): string;
}

export const reporters = {
  table: tableReporter,
  json: jsonReporter,
  md: mdReporter,
  hgrm: hgrmReporter,
  html: htmlReporter,
} satisfies Record<(typeof REPORT_FORMATS)[number], Reporter>;

export type ReportFormat = keyof typeof reporters;
