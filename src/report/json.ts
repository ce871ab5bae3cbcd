/** The result document itself (docs/result-format.md), pretty-printed; nothing else goes to stdout. */
import type { RunResult } from '../metrics/result.js';
import type { Reporter } from './reporter.js';

export const jsonReporter: Reporter = {
  format: 'json',
  render(r: RunResult): string {
    return `${JSON.stringify(r, null, 2)}\n`;
  },
};
