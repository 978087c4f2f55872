/**
 * Where the MLflow UI's static files come from, with no Python server running, in this order:
 *  1. --static-dir / MLFLOW_TS_UI_DIR;
 *  2. `mlflow/server/js/build` of the mlflow package a Python imports (found with importlib's
 *     find_spec: mlflow itself is not imported, no server runs);
 *  3. a cache outside the clone (${MLFLOW_TS_CACHE:-~/.cache/mlflow-ts}/ui-<pin>/build), filled on
 *     first use from the pinned wheel: the one scripts/provision-python.sh downloaded, else PyPI's.
 *     The wheel must have the sha256 that mlflow-wheel.sha256 records for the pin.
 */
import { createHash } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
} from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import yauzl from 'yauzl';
import type { UiSource } from '../http/ui/static-ui.js';
import { probePython } from './find-python.js';

type Env = Readonly<Record<string, string | undefined>>;

const BUILD_IN_WHEEL = 'mlflow/server/js/build/';

function isBuild(dir: string): boolean {
  return existsSync(join(dir, 'index.html'));
}

/** The build directory of the mlflow package `python` would import, without importing it. */
export function uiOfPython(python: string, env: Env): string | undefined {
  const pkg = probePython(
    python,
    'import importlib.util\n' +
      "s = importlib.util.find_spec('mlflow')\n" +
      "print(list(s.submodule_search_locations)[0] if s and s.submodule_search_locations else '')",
    env,
  );
  if (!pkg) return undefined;
  const dir = join(pkg, 'server', 'js', 'build');
  return isBuild(dir) ? dir : undefined;
}

export function cacheRoot(env: Env): string {
  return env.MLFLOW_TS_CACHE || join(env.HOME || homedir(), '.cache', 'mlflow-ts');
}

/** `<sha256>  <wheel file name>` of the pinned wheel (mlflow-wheel.sha256 at the repo root). */
export function pinnedWheel(pin: string): { name: string; sha256: string } {
  const text = readFileSync(new URL('../../mlflow-wheel.sha256', import.meta.url), 'utf8').trim();
  const [sha256, name] = text.split(/\s+/);
  const expected = `mlflow-${pin}-py3-none-any.whl`;
  if (!sha256 || name !== expected) {
    throw new Error(`mlflow-wheel.sha256 names '${name}', but the pin is ${pin} (${expected}): update it`);
  }
  return { name, sha256 };
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/** The wheel's download URL from PyPI's JSON simple index (PEP 691). */
async function pypiWheelUrl(name: string, indexUrl: string): Promise<string> {
  const res = await fetch(`${indexUrl.replace(/\/$/, '')}/mlflow/`, {
    headers: { accept: 'application/vnd.pypi.simple.v1+json' },
    signal: AbortSignal.timeout(60_000),
  });
  if (!res.ok) throw new Error(`${res.url} answered ${res.status}`);
  const body = (await res.json()) as { files?: { filename: string; url: string }[] };
  const file = body.files?.find((f) => f.filename === name);
  if (!file) throw new Error(`${res.url} lists no ${name}`);
  return new URL(file.url, res.url).toString();
}

/** Extracts mlflow/server/js/build/ of the wheel into `dest`. */
async function extractBuild(wheel: string, dest: string): Promise<void> {
  const zip = await yauzl.openPromise(wheel, { lazyEntries: true });
  try {
    await new Promise<void>((done, fail) => {
      zip.on('error', fail);
      zip.on('end', () => done());
      zip.on('entry', (entry: yauzl.Entry) => {
        const name = entry.fileName;
        if (!name.startsWith(BUILD_IN_WHEEL) || name.endsWith('/')) return zip.readEntry();
        const rel = name.slice(BUILD_IN_WHEEL.length);
        // yauzl already refuses absolute and `..` names; the build has no reason to hold either.
        const target = join(dest, rel);
        mkdirSync(dirname(target), { recursive: true });
        zip
          .openReadStreamPromise(entry)
          .then((stream) => pipeline(stream, createWriteStream(target)))
          .then(() => zip.readEntry(), fail);
      });
      zip.readEntry();
    });
  } finally {
    zip.close();
  }
}

/**
 * The cached build, filled when missing (unless `download` is false). Logs what it downloads and
 * where; throws with the reason when it cannot.
 */
export async function cachedUi(
  pin: string,
  env: Env,
  opts: { download: boolean; say: (line: string) => void },
): Promise<string | undefined> {
  const root = cacheRoot(env);
  const build = join(root, `ui-${pin}`, 'build');
  if (isBuild(build)) return build;
  const { name, sha256 } = pinnedWheel(pin);
  const provisioned = join(root, 'wheels', name);
  mkdirSync(root, { recursive: true });
  const work = await mkdtemp(join(root, '.ui-'));
  try {
    let wheel: string;
    if (existsSync(provisioned) && (await sha256Of(provisioned)) === sha256) {
      wheel = provisioned;
      opts.say(`mlflow-ts: extracting the MLflow UI from ${provisioned} into ${build}`);
    } else {
      if (!opts.download) return undefined;
      const url = await pypiWheelUrl(name, env.MLFLOW_TS_PYPI_SIMPLE_URL || 'https://pypi.org/simple');
      opts.say(`mlflow-ts: downloading the MLflow UI (${name}, 12 MB) from ${url} into ${build}`);
      wheel = join(work, name);
      const res = await fetch(url, { signal: AbortSignal.timeout(300_000) });
      if (!res.ok || !res.body) throw new Error(`${url} answered ${res.status}`);
      await pipeline(Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), createWriteStream(wheel));
      const got = await sha256Of(wheel);
      if (got !== sha256) throw new Error(`${name} from ${url} has sha256 ${got}, expected ${sha256}`);
    }
    const staging = join(work, 'build');
    await extractBuild(wheel, staging);
    if (!isBuild(staging)) throw new Error(`${name} holds no ${BUILD_IN_WHEEL}index.html`);
    mkdirSync(dirname(build), { recursive: true });
    // Another process may have filled it meanwhile: its copy is as good as ours.
    if (!isBuild(build)) renameSync(staging, build);
    return build;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Finds the UI (see the top of this file). `pythons`: interpreters to look into, the Python
 * child's first. Never throws: a failed download is reported and the server starts without a UI.
 */
export async function locateUi(opts: {
  staticDir: string | undefined;
  pythons: readonly string[];
  pin: string;
  env: Env;
  cwd: string;
  download: boolean;
  say: (line: string) => void;
}): Promise<UiSource> {
  if (opts.staticDir !== undefined) {
    const dir = resolve(opts.cwd, opts.staticDir);
    if (isBuild(dir)) return { dir, origin: `--static-dir ${dir}` };
    opts.say(`mlflow-ts: warning: --static-dir ${dir} holds no index.html; looking elsewhere for the UI`);
  }
  for (const python of opts.pythons) {
    const dir = uiOfPython(python, opts.env);
    if (dir) return { dir, origin: `the mlflow package of ${python}` };
  }
  try {
    const dir = await cachedUi(opts.pin, opts.env, { download: opts.download, say: opts.say });
    if (dir) return { dir, origin: `the cache ${dir}` };
    return {
      dir: undefined,
      origin: `no UI build found and downloading it is off (--no-ui-download)`,
    };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    opts.say(`mlflow-ts: warning: could not get the MLflow UI: ${why}`);
    return { dir: undefined, origin: `getting the pinned wheel failed: ${why}` };
  }
}
