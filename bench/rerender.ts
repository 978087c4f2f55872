// Re-renders results.md / chart.svg (and, with --docs, the block in docs/benchmarks.md) from a
// results directory's results.json, without measuring again:
//   node --import tsx bench/rerender.ts bench/results/<timestamp> [--docs]
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeReport } from './lib/report.js';

const dir = resolve(process.argv[2] ?? '');
const data = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
const root = resolve(import.meta.dirname, '..');
writeReport({
  outDir: dir,
  rows: data.rows,
  footprints: data.footprints,
  quick: data.quick,
  machine: data.machine,
  size: data.size,
  docsPath: process.argv.includes('--docs') ? join(root, 'docs/benchmarks.md') : undefined,
});
console.error(`re-rendered ${dir}`);
