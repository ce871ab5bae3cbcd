/**
 * The report format names, in their own module so the command builders can offer them as
 * yargs `choices` without loading the reporters (which keeps `rtbench --help` fast).
 * reporter.ts checks its registry against this list at compile time.
 */
export const REPORT_FORMATS = ['table', 'json', 'md', 'hgrm', 'html'] as const;

/** Formats the gate can write (a gate is a verdict table, not a distribution). */
export const GATE_FORMATS = ['table', 'json', 'md'] as const;
