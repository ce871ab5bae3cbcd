/** ANSI colour helpers for the terminal reporters; every helper is the identity when `on` is false. */
export function ansi(on: boolean) {
  const wrap = (code: string) => (s: string) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);
  return { bold: wrap('1'), red: wrap('31'), green: wrap('32'), yellow: wrap('33'), dim: wrap('2') };
}

/** cli-table3 style: coloured head and borders only when colour is on. */
export function tableStyle(color: boolean): { head: string[]; border: string[] } {
  return color ? { head: ['cyan'], border: ['grey'] } : { head: [], border: [] };
}
