import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export interface FoundPython {
  path: string;
  mlflowVersion: string;
}

/** The mlflow version `python` can import, or undefined (fast: no import of mlflow itself). */
export function mlflowVersionOf(
  python: string,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const probe =
    'import importlib.util, importlib.metadata\n' +
    "print(importlib.metadata.version('mlflow') if importlib.util.find_spec('mlflow') else '')";
  const res = spawnSync(python, ['-c', probe], {
    env: env as NodeJS.ProcessEnv,
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (res.status !== 0) return undefined;
  const v = res.stdout.trim();
  return v || undefined;
}

/**
 * The Python interpreter to run the fallback child with: the one given (--python /
 * MLFLOW_TS_PYTHON), else python3 on PATH if it can import mlflow, else ./.venv/bin/python.
 * An explicit interpreter that cannot import mlflow is an error, not a silent standalone start.
 */
export function findPython(
  explicit: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): FoundPython | undefined {
  if (explicit) {
    const v = mlflowVersionOf(explicit, env);
    if (!v) {
      throw new Error(
        `--python/MLFLOW_TS_PYTHON is '${explicit}', but it cannot import mlflow. Install the pinned MLflow ` +
          'into it, point it at another interpreter, or run standalone with --no-python.',
      );
    }
    return { path: explicit, mlflowVersion: v };
  }
  for (const candidate of ['python3', resolve(cwd, '.venv/bin/python')]) {
    if (candidate.includes('/') && !existsSync(candidate)) continue;
    const v = mlflowVersionOf(candidate, env);
    if (v) return { path: candidate, mlflowVersion: v };
  }
  return undefined;
}
