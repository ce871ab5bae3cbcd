/**
 * GitHub-flavoured Markdown tables, with cells escaped so a `|` in a label cannot split a row,
 * and the escapes for text from a result (names, URLs, notes, errors): `<`, `>` and `&` become
 * entities, so a scenario or label cannot inject HTML into a PR comment or job summary.
 */

/** A table: `align` per column, `r` for numbers. */
export function mdTable(head: string[], align: Array<'l' | 'r'>, rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map(escapeCell).join(' | ')} |`;
  const rule = `|${align.map((a) => (a === 'r' ? '---:' : ':---')).join('|')}|`;
  return [line(head), rule, ...rows.map(line)].join('\n');
}

/** Escapes what would break a table cell or start Markdown formatting by accident. */
export function escapeCell(text: string): string {
  // A cell that is one code span (mdCode) shows its text as is: entities there would show raw.
  const isCodeSpan = text.length > 1 && text.startsWith('`') && text.endsWith('`');
  return (isCodeSpan ? text : escapeMdText(text)).replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Text from a result as Markdown text: `&`, `<`, `>` as entities (GitHub would render raw HTML). */
export function escapeMdText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Text from a result as a code span: fenced with more backticks than it contains, so a backtick
 * in a name cannot end the span early (CommonMark §6.1). Inside a span HTML is not rendered.
 */
export function mdCode(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text.replace(/\r?\n/g, ' ')}${pad}${fence}`;
}
