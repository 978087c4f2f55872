/**
 * The layers of src/ (docs/architecture.md) checked on the import graph: which folder may import
 * which, and no import cycles (type-only imports included: a cycle of types is still a tangle).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve('src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g;

/** Relative imports of a file, as paths of src/ files. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2]!;
    if (!spec.startsWith('.')) continue;
    out.push(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
  }
  return out;
}

const files = sourceFiles(SRC);
const graph = new Map(files.map((f) => [f, importsOf(f)]));
/** The layer of a file: its first folder under src/ ('' for files directly in src/). */
const layer = (file: string): string => {
  const rel = relative(SRC, file).split('/');
  return rel.length > 1 ? rel[0]! : '';
};

/** Which layers each layer may import (besides itself). */
const ALLOWED: Record<string, readonly string[]> = {
  gen: [],
  py: [],
  errors: ['gen'],
  stores: ['gen', 'py', 'errors'],
  services: ['gen', 'py', 'errors', 'stores'],
  http: ['gen', 'py', 'errors', 'stores', 'services', 'proxy', ''],
  proxy: ['gen', 'errors', ''],
  cli: ['gen', 'py', 'errors', 'stores', 'services', 'http', 'proxy', ''],
  '': ['gen', 'errors'],
};

describe('layering of src/', () => {
  it('every import stays within the layers its folder may use', () => {
    const wrong: string[] = [];
    for (const [file, deps] of graph) {
      const from = layer(file);
      const allowed = ALLOWED[from];
      expect(allowed, `no layer rule for src/${from}`).toBeDefined();
      for (const dep of deps) {
        const to = layer(dep);
        if (to !== from && !allowed!.includes(to))
          wrong.push(`${relative(SRC, file)} -> ${relative(SRC, dep)}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('imports resolve to files of src/', () => {
    const missing = [...graph].flatMap(([file, deps]) =>
      deps.filter((d) => d.startsWith(SRC) && !graph.has(d)).map((d) => `${relative(SRC, file)} -> ${d}`),
    );
    expect(missing).toEqual([]);
  });

  it('has no import cycles', () => {
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (file: string, path: string[]): void => {
      const s = state.get(file);
      if (s === 'done') return;
      if (s === 'open') {
        cycles.push([...path.slice(path.indexOf(file)), file].map((f) => relative(SRC, f)).join(' -> '));
        return;
      }
      state.set(file, 'open');
      for (const dep of graph.get(file) ?? []) visit(dep, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of files) visit(file, []);
    expect(cycles).toEqual([]);
  });
});
