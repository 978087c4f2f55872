/**
 * Shared set-up of the search integration tests: builds the search dataset with the pinned
 * Python MLflow (build_search_fixture.py) in a fresh SQLite file or PostgreSQL database, and
 * returns MLflow's own answers together with a store dialect opened on the same database.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { StoreDialect } from '../../../src/stores/dialects/dialect.js';
import { openPostgres } from '../../../src/stores/dialects/postgres/index.js';
import { openMysql } from '../../../src/stores/dialects/mysql/index.js';
import { openSqlite } from '../../../src/stores/dialects/sqlite/index.js';
import { parseBackendUri } from '../../../src/stores/uri.js';
import { newBackend, type BackendName } from '../../helpers/store-backends.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../../..');
export const PYTHON = join(ROOT, '.venv/bin/python');
export const HAVE_PYTHON = existsSync(PYTHON);

export interface ErrorAnswer {
  error: string;
  error_code: string;
}
export interface RunAnswer {
  query: {
    filter: string;
    order_by: string[];
    experiment_ids: string[];
    view: number;
    max_results: number;
    page_token: string | null;
  };
  ids?: string[];
  token?: string | null;
  error?: string;
  error_code?: string;
}
export interface ExperimentAnswer {
  query: { filter: string; order_by: string[]; view: number; max_results: number; page_token: string | null };
  ids?: string[];
  token?: string | null;
  error?: string;
  error_code?: string;
}
export interface FixtureAnswers {
  runs: RunAnswer[];
  pages: string[][];
  full_runs: unknown[];
  experiments: ExperimentAnswer[];
  full_experiments: unknown[];
}

export interface Fixture {
  answers: FixtureAnswers;
  dialect: StoreDialect;
  cleanup(): Promise<void>;
}

async function build(uri: string, dir: string): Promise<FixtureAnswers> {
  const out = join(dir, 'answers.json');
  await run(
    PYTHON,
    [join(import.meta.dirname, 'build_search_fixture.py'), uri, join(dir, 'artifacts'), out],
    {
      env: { ...process.env, PYTHONHASHSEED: '0', MLFLOW_TRACKING_URI: '' },
      maxBuffer: 1 << 26,
    },
  );
  return JSON.parse(readFileSync(out, 'utf8')) as FixtureAnswers;
}

/**
 * A fresh database of `dialect` (tests/helpers/store-backends.ts: SQLite file, or PostgreSQL
 * database when MLFLOW_TS_TEST_PG_URL is set), loaded by Python MLflow, opened by our dialect.
 */
export async function openFixture(dialect: BackendName): Promise<Fixture> {
  const backend = await newBackend(dialect, 'h4_search');
  const work = mkdtempSync(join(tmpdir(), 'h4-search-'));
  let answers: FixtureAnswers;
  try {
    answers = await build(backend.pythonUri, work);
  } catch (err) {
    await backend.drop();
    rmSync(work, { recursive: true, force: true });
    throw err;
  }
  const loc = parseBackendUri(backend.uri);
  const d =
    loc.dialect === 'sqlite'
      ? openSqlite(loc.path)
      : loc.dialect === 'postgresql'
        ? openPostgres(loc.connectionString, 4)
        : await openMysql(loc.mysql, { poolSize: 4, timeoutMs: 30_000 });
  return {
    answers,
    dialect: d,
    async cleanup() {
      await d.close();
      await backend.drop();
      rmSync(work, { recursive: true, force: true });
    },
  };
}

const VIEW_NAMES: Record<number, 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL'> = {
  1: 'ACTIVE_ONLY',
  2: 'DELETED_ONLY',
  3: 'ALL',
};
export const viewName = (n: number): 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL' => VIEW_NAMES[n] ?? 'ACTIVE_ONLY';

/** Python prints sets in hash order: compare set literals member-sorted. */
export function normalizeSets(msg: string): string {
  return msg.replace(
    /\{('[^']*'(?:, '[^']*')*)\}/g,
    (_m, inner: string) => '{' + inner.split(', ').sort().join(', ') + '}',
  );
}

/** Wire-JSON view of an entity as MLflow's proto JSON prints it, with list order made canonical. */
export function canonical(v: unknown): unknown {
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'NaN';
    if (v === Infinity) return 'Infinity';
    if (v === -Infinity) return '-Infinity';
    return v;
  }
  if (Array.isArray(v)) {
    const items = v.map(canonical);
    return items.sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  }
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = canonical((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}
