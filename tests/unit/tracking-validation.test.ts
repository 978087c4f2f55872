/**
 * The tracking services' store-level validation says exactly what mlflow/utils/validation.py of the
 * pinned release says, case by case (the Python side is run live on the same cases).
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MlflowError } from '../../src/errors/mlflow-error.js';
import {
  validateBatchLimits,
  validateDatasetInputs,
  validateExperimentName,
  validateExperimentTag,
  validateMetric,
  validateParam,
  validateParamKeysUnique,
  validateRunId,
  validateTag,
} from '../../src/services/tracking/validation.js';

type Case = { fn: string; args: unknown[] };

const long = (n: number, ch = 'k') => ch.repeat(n);
const cases: Case[] = [];
for (const path of ['', 'metrics[3]']) {
  for (const key of [
    'a',
    'a/b.c-d e:f',
    '',
    '.',
    '..',
    '../x',
    '/abs',
    'a//b',
    'a/./b',
    'bad$',
    'ünï',
    'x\ny',
    long(250),
    long(251),
  ]) {
    cases.push({ fn: 'metric', args: [key, 1.5, 10, 0, path] });
  }
  cases.push({ fn: 'metric', args: ['m', 'x', 10, 0, path] });
  cases.push({ fn: 'metric', args: ['m', true, 10, 0, path] });
  cases.push({ fn: 'metric', args: ['m', 2, -1, 0, path] });
  cases.push({ fn: 'metric', args: ['m', 2.5, 'x', 0, path] });
  cases.push({ fn: 'metric', args: ['m', 1e20, -5, 0, path] });
  cases.push({ fn: 'metric', args: ['m', 3, 1, 'x', path] });
  cases.push({ fn: 'metric', args: [null, 3, 1, 0, path] });
  cases.push({ fn: 'metric', args: ['m', null, 1, 0, path] });
}
for (const path of ['', 'params[1]']) {
  for (const key of ['p', '', 'bad*', '../p', long(251), 'é'])
    cases.push({ fn: 'param', args: [key, 'v', path] });
  cases.push({ fn: 'param', args: ['p', long(6000, 'v'), path] });
  cases.push({ fn: 'param', args: ['p', long(6001, 'v'), path] });
}
for (const path of ['', 'tags[2]']) {
  for (const key of ['t', '', 'bad?', '/t', long(251)]) cases.push({ fn: 'tag', args: [key, 'v', path] });
  cases.push({ fn: 'tag', args: ['t', long(8001, 'v'), path] });
}
for (const [k, val] of [
  ['ok', 'v'],
  ['', 'v'],
  ['bad!', 'v'],
  [long(251), 'v'],
  ['k', long(20001, 'v')],
  ['k', long(20000, 'v')],
]) {
  cases.push({ fn: 'experiment_tag', args: [k, val] });
}
for (const val of [
  '{"type": "duration", "value": "30d"}',
  '{"type": "duration", "value": " 12h "}',
  '{"type": "duration", "value": "0d"}',
  '{"type": "duration", "value": 5}',
  '{"type": "other", "value": "1d"}',
  '{"value": "1d"}',
  '[1]',
  'not json',
  `{"type": "duration", "value": "${'9'.repeat(40)}d"}`,
]) {
  cases.push({ fn: 'experiment_tag', args: ['mlflow.trace.archivalRetention', val] });
}
for (const val of ['{}', '{"older_than": "2h"}', '{"older_than": "2x"}', '{"older_than": null}', '"s"']) {
  cases.push({ fn: 'experiment_tag', args: ['mlflow.trace.archiveNow', val] });
}
for (const name of ['ok', '', '   ', long(500), long(501), 'naïve'])
  cases.push({ fn: 'experiment_name', args: [name] });
for (const id of ['abc123', '-bad', '', long(256, 'a'), long(257, 'a'), 'with space', 'a_b-c'])
  cases.push({ fn: 'run_id', args: [id] });
for (const counts of [
  [1000, 0, 0],
  [1001, 0, 0],
  [0, 101, 0],
  [0, 0, 101],
  [900, 100, 1],
  [1000, 100, 100],
]) {
  cases.push({ fn: 'batch_limits', args: counts });
}
for (const keys of [
  ['a', 'b'],
  ['a', 'b', 'a', 'a', "it's"],
])
  cases.push({ fn: 'param_keys_unique', args: [keys] });
const ds = { name: 'd', digest: 'x', source_type: 'local', source: 's' };
for (const d of [
  ds,
  { ...ds, name: long(501) },
  { ...ds, digest: long(37) },
  { ...ds, source: long(65536) },
  { ...ds, schema: long(1048576) },
]) {
  cases.push({ fn: 'datasets', args: [[{ dataset: d }]] });
}
cases.push({ fn: 'datasets', args: [[{ dataset: ds, tags: [{ key: long(256), value: 'v' }] }]] });
cases.push({ fn: 'datasets', args: [[{ dataset: ds, tags: [{ key: 'k', value: long(501) }] }]] });

function runTs(c: Case): { ok?: unknown; error?: string; code?: string } {
  try {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const a = c.args as any[];
    switch (c.fn) {
      case 'metric':
        validateMetric(
          { key: a[0] ?? undefined, value: a[1] ?? undefined, timestamp: a[2], step: a[3] },
          a[4],
        );
        return { ok: null };
      case 'param': {
        const p = validateParam(a[0], a[1], a[2]);
        return { ok: [p.key, p.value] };
      }
      case 'tag': {
        const t = validateTag(a[0], a[1], a[2]);
        return { ok: [t.key, t.value] };
      }
      case 'experiment_tag':
        validateExperimentTag(a[0], a[1]);
        return { ok: null };
      case 'experiment_name':
        validateExperimentName(a[0]);
        return { ok: null };
      case 'run_id':
        validateRunId(a[0]);
        return { ok: null };
      case 'batch_limits':
        validateBatchLimits(a[0], a[1], a[2]);
        return { ok: null };
      case 'param_keys_unique':
        validateParamKeysUnique((a[0] as string[]).map((key) => ({ key })));
        return { ok: null };
      case 'datasets':
        validateDatasetInputs(a[0]);
        return { ok: null };
    }
    throw new Error(c.fn);
  } catch (err) {
    if (err instanceof MlflowError) return { error: err.message, code: err.errorCode };
    throw err;
  }
}

describe('tracking validation matches mlflow.utils.validation', () => {
  const python = process.env.MLFLOW_TS_PYTHON ?? resolve(process.cwd(), '.venv/bin/python');
  const res = spawnSync(python, [resolve(process.cwd(), 'tests/helpers/tracking_validation_golden.py')], {
    input: JSON.stringify(cases),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (res.status !== 0) throw new Error(`python failed: ${res.stderr}`);
  const expected = JSON.parse(res.stdout) as { ok?: unknown; error?: string; code?: string }[];

  it.each(cases.map((c, i) => [`${c.fn} #${i}: ${JSON.stringify(c.args).slice(0, 60)}`, i] as const))(
    '%s',
    (_name, i) => {
      expect(runTs(cases[i]!)).toEqual(expected[i]);
    },
  );
});
