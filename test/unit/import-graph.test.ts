/**
 * No import cycle in src/, type-only imports included: a cycle is two modules that each need
 * the other to be understood, which is where layering erodes first.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Relative imports and re-exports of `file`, as source paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'(\.{1,2}\/[^']+)'/g)].map((m) =>
    resolve(dirname(file), m[1]!.replace(/\.js$/, '.ts')),
  );
}

/** Every cycle of `graph` found by a depth-first walk, each as `a.ts -> b.ts -> a.ts`. */
function cycles(graph: Map<string, string[]>): string[] {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const found: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'open');
    stack.push(file);
    for (const dep of graph.get(file) ?? []) {
      if (state.get(dep) === 'open') found.push([...stack.slice(stack.indexOf(dep)), dep].map((p) => relative(SRC, p)).join(' -> '));
      else if (!state.has(dep)) visit(dep);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const f of graph.keys()) if (!state.has(f)) visit(f);
  return found;
}

describe('src/ import graph', () => {
  it('has no cycle', () => {
    const files = sourceFiles(SRC);
    expect(files.length).toBeGreaterThan(50);
    // The reader sees type-only imports too.
    expect(importsOf(join(SRC, 'worker/engine.ts'))).toContain(join(SRC, 'worker/session.ts'));
    expect(cycles(new Map(files.map((f) => [f, importsOf(f)])))).toEqual([]);
  });

  it('the walk reports a cycle when there is one', () => {
    const at = (name: string) => join(SRC, name);
    const graph = new Map([
      [at('a.ts'), [at('b.ts')]],
      [at('b.ts'), [at('c.ts')]],
      [at('c.ts'), [at('a.ts')]],
      [at('d.ts'), [at('a.ts')]],
    ]);
    expect(cycles(graph)).toEqual(['a.ts -> b.ts -> c.ts -> a.ts']);
  });
});
