import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export interface FoundPython {
  path: string;
  mlflowVersion: string;
}

/** The interpreters looked at when none is given: python3 on PATH, then ./.venv's (if present). */
export function pythonCandidates(cwd: string): string[] {
  return ['python3', resolve(cwd, '.venv/bin/python')].filter((p) => !p.includes('/') || existsSync(p));
}

/** What a short Python snippet prints (trimmed), or undefined when it fails or prints nothing. */
export function probePython(
  python: string,
  code: string,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const res = spawnSync(python, ['-c', code], {
    env: env as NodeJS.ProcessEnv,
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (res.status !== 0) return undefined;
  return res.stdout.trim() || undefined;
}

/** The mlflow version `python` can import, or undefined (fast: no import of mlflow itself). */
export function mlflowVersionOf(
  python: string,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  return probePython(
    python,
    'import importlib.util, importlib.metadata\n' +
      "print(importlib.metadata.version('mlflow') if importlib.util.find_spec('mlflow') else '')",
    env,
  );
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
  for (const candidate of pythonCandidates(cwd)) {
    const v = mlflowVersionOf(candidate, env);
    if (v) return { path: candidate, mlflowVersion: v };
  }
  return undefined;
}
