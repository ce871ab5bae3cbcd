/**
 * The registry of reporters. yargs `choices` come from REPORT_FORMATS (formats.ts, cheap to
 * load), which the `satisfies` below ties to this registry's keys. Comparisons:
 * comparison-reporter.ts.
 */
import type { REPORT_FORMATS } from './formats.js';
import { hgrmReporter } from './hgrm.js';
import { htmlReporter } from './html.js';
import { jsonReporter } from './json.js';
import { mdReporter } from './md.js';
import type { Reporter } from './reporter.js';
import { tableReporter } from './table.js';

export const reporters = {
  table: tableReporter,
  json: jsonReporter,
  md: mdReporter,
  hgrm: hgrmReporter,
  html: htmlReporter,
} satisfies Record<(typeof REPORT_FORMATS)[number], Reporter>;

export type ReportFormat = keyof typeof reporters;
