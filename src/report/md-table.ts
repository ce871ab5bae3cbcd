/** GitHub-flavoured Markdown tables, with cells escaped so a `|` in a label cannot split a row. */

/** A table: `align` per column, `r` for numbers. */
export function mdTable(head: string[], align: Array<'l' | 'r'>, rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map(escapeCell).join(' | ')} |`;
  const rule = `|${align.map((a) => (a === 'r' ? '---:' : ':---')).join('|')}|`;
  return [line(head), rule, ...rows.map(line)].join('\n');
}

/** Escapes what would break a table cell or start Markdown formatting by accident. */
export function escapeCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}
