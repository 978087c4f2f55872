import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDotenv } from '../../src/cli/env-file.js';
import { parseOptions } from '../../src/cli/parse-args.js';
import { resolveServerConfig } from '../../src/cli/server-config.js';
import { SERVER_OPTIONS } from '../../src/cli/server-options.js';
import { prepareServer } from '../../src/cli/server-command.js';
import { UsageError, formatUsageError } from '../../src/cli/usage-error.js';

const cwd = mkdtempSync(join(tmpdir(), 'cli-opts-'));

function prep(argv: string[], env: Record<string, string> = {}) {
  const inv = prepareServer(['--no-python', ...argv], env, {
    cwd,
    envFile: undefined,
    command: 'mlflow-ts server',
    out: () => undefined,
  });
  if (!inv) throw new Error('help');
  return inv.config;
}

function usage(argv: string[], env: Record<string, string> = {}): string {
  try {
    prep(argv, env);
  } catch (err) {
    if (err instanceof UsageError) return err.message;
    throw err;
  }
  throw new Error('expected a usage error');
}

describe('mlflow-ts server options (as `mlflow server` parses them)', () => {
  it('has MLflow defaults', () => {
    const c = prep([]);
    expect(c.backendStoreUri).toBe('sqlite:///mlflow.db');
    expect(c.registryStoreUri).toBe('sqlite:///mlflow.db');
    expect(c.defaultArtifactRoot).toBe('mlflow-artifacts:/');
    expect(c.serveArtifacts).toBe(true);
    expect(c.artifactsDestination).toBe('./mlartifacts');
    expect(c.host).toBe('127.0.0.1');
    expect(c.port).toBe(5000);
    expect(c.workers).toBe(1);
    expect(c.staticPrefix).toBe('');
    expect(c.security.xFrameOptions).toBe('SAMEORIGIN');
    expect(c.security.disabled).toBe(false);
    expect(c.secretsCacheTtl).toBe(60);
    expect(c.secretsCacheMaxSize).toBe(1000);
    expect(c.notices).toEqual([
      'Backend store URI not provided. Using sqlite:///mlflow.db',
      'Registry store URI not provided. Using backend store URI.',
    ]);
  });

  it('keeps ./mlruns as the default store when it holds experiments', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-mlruns-'));
    mkdirSync(join(dir, 'mlruns', '0'), { recursive: true });
    writeFileSync(join(dir, 'mlruns', '0', 'meta.yaml'), 'name: Default\n');
    const parsed = parseOptions([], SERVER_OPTIONS, {});
    expect(resolveServerConfig(parsed, {}, { cwd: dir, envFile: undefined }).backendStoreUri).toBe(
      './mlruns',
    );
  });

  it('reads short flags, --opt=value and MLFLOW_* variables; the command line wins', () => {
    const c = prep(['-h', '0.0.0.0', '-p', '6000', '-w3', '--static-prefix=/mlflow'], {
      MLFLOW_PORT: '7000',
      MLFLOW_BACKEND_STORE_URI: 'postgresql://u@h/db',
      MLFLOW_ARTIFACTS_DESTINATION: '/data/art',
      MLFLOW_SERVER_X_FRAME_OPTIONS: 'deny',
    });
    expect(c.host).toBe('0.0.0.0');
    expect(c.port).toBe(6000);
    expect(c.workers).toBe(3);
    expect(c.staticPrefix).toBe('/mlflow');
    expect(c.backendStoreUri).toBe('postgresql://u@h/db');
    expect(c.artifactsDestination).toBe('/data/art');
    expect(c.security.xFrameOptions).toBe('DENY');
  });

  it('treats --no-serve-artifacts and boolean variables as click does', () => {
    expect(prep(['--no-serve-artifacts']).defaultArtifactRoot).toBe('./mlruns');
    expect(prep([], { MLFLOW_SERVE_ARTIFACTS: 'false' }).serveArtifacts).toBe(false);
    expect(prep([], { MLFLOW_SERVE_ARTIFACTS: '' }).serveArtifacts).toBe(true);
    expect(prep([], { MLFLOW_SERVER_DISABLE_SECURITY_MIDDLEWARE: 'yes' }).security.disabled).toBe(true);
    expect(usage([], { MLFLOW_SERVE_ARTIFACTS: 'bogus' })).toBe(
      "Invalid value for '--serve-artifacts': 'bogus' is not a valid boolean. Recognized values: , 0, 1, f, false, n, no, off, on, t, true, y, yes",
    );
  });

  it('reports the same usage errors as mlflow server', () => {
    expect(usage(['--static-prefix', 'abc'])).toBe("--static-prefix must begin with a '/'.");
    expect(usage(['--static-prefix', '/abc/'])).toBe("--static-prefix should not end with a '/'.");
    expect(usage(['--static-prefix', '/a{b}'])).toBe("--static-prefix must not contain '{' or '}'.");
    expect(usage(['--port', 'abc'])).toBe("Invalid value for '--port' / '-p': 'abc' is not a valid integer.");
    expect(usage([], { MLFLOW_PORT: 'abc' })).toBe(
      "Invalid value for '--port' / '-p': 'abc' is not a valid integer.",
    );
    expect(usage(['--bogus'])).toBe("No such option '--bogus'. Did you mean '--host'?");
    expect(usage(['--app-name', 'nope'])).toBe("Invalid value for '--app-name': 'nope' is not 'basic-auth'.");
    expect(usage(['--secrets-cache-ttl', '5'])).toBe(
      "Invalid value for '--secrets-cache-ttl': 5 is not in the range 10<=x<=300.",
    );
    expect(usage(['--gunicorn-opts', 'x', '--uvicorn-opts', 'y'])).toBe(
      "Cannot specify multiple server options. Choose one of: '--gunicorn-opts', '--waitress-opts', or '--uvicorn-opts'.",
    );
    expect(usage(['--dev', '--uvicorn-opts', 'y'])).toBe(
      "'--dev' and '--uvicorn-opts' cannot be specified together.",
    );
    expect(usage(['--gunicorn-opts', 'x', '--allowed-hosts', 'y'])).toMatch(
      /^Security middleware parameters \(--allowed-hosts, --cors-allowed-origins, --disable-security-middleware\) are only supported/,
    );
    expect(usage(['--artifacts-only', '--backend-store-uri', 'sqlite:///x.db'])).toBe(
      'You are starting a tracking server in `--artifacts-only` mode and have provided a value for ' +
        "`--backend_store_uri`: 'sqlite:///x.db'. A tracking server in `--artifacts-only` mode cannot have a " +
        'value set for `--backend_store_uri` to properly proxy access to the artifact storage location.',
    );
    expect(usage(['--trace-archival-config', '/nonexistent.yaml'])).toBe(
      "Invalid value for '--trace-archival-config': File '/nonexistent.yaml' does not exist.",
    );
  });

  it('allows security variables (not flags) with gunicorn, as MLflow does', () => {
    expect(
      prep(['--gunicorn-opts', 'x'], { MLFLOW_SERVER_ALLOWED_HOSTS: 'a.example' }).security.allowedHosts,
    ).toEqual(['a.example']);
  });

  it('formats usage errors like click', () => {
    expect(
      formatUsageError(new UsageError("--static-prefix must begin with a '/'."), 'mlflow-ts server'),
    ).toBe(
      "Usage: mlflow-ts server [OPTIONS]\nTry 'mlflow-ts server --help' for help.\n\nError: --static-prefix must begin with a '/'.\n",
    );
    expect(usage(['--port'])).toBe("Option '--port' requires an argument.");
  });

  it('has our own flags with environment variables', () => {
    const c = prep(['--log-level', 'debug'], {
      MLFLOW_TS_SHUTDOWN_TIMEOUT: '5',
      MLFLOW_TS_PYTHON_WORKERS: '2',
    });
    expect(c.logLevel).toBe('debug');
    expect(c.shutdownTimeoutMs).toBe(5000);
    expect(c.pythonWorkers).toBe(2);
    expect(c.noPython).toBe(true);
    expect(() =>
      prepareServer(
        ['--app-name', 'basic-auth', '--no-python'],
        {},
        { cwd, envFile: undefined, command: 'x', out: () => undefined },
      ),
    ).toThrow(/needs the Python MLflow child/);
  });

  it('documents every option in --help', () => {
    let text = '';
    expect(
      prepareServer(
        ['--help'],
        {},
        { cwd, envFile: undefined, command: 'mlflow-ts server', out: (s) => (text = s) },
      ),
    ).toBeUndefined();
    for (const flag of [
      '--backend-store-uri',
      '--serve-artifacts / --no-serve-artifacts',
      '--port, -p',
      '--python',
      '--no-python',
      '--log-level',
      'MLFLOW_TS_PYTHON',
    ]) {
      expect(text).toContain(flag);
    }
  });

  it('parses dotenv files', () => {
    expect(parseDotenv('# c\nA=1\nexport B="x y"\nC=\'q\' \nD=v # note\n')).toEqual({
      A: '1',
      B: 'x y',
      C: 'q',
      D: 'v',
    });
  });
});

describe('what may be served natively', () => {
  it('routes everything to the child when Python-only behaviour is asked for', async () => {
    const { nativeOffReason } = await import('../../src/cli/native-policy.js');
    expect(nativeOffReason(prep([]))).toBeUndefined();
    expect(nativeOffReason(prep(['--backend-store-uri', 'postgresql://u@h/db']))).toBeUndefined();
    // --artifacts-only has a native layer of its own (the artifacts service, MLflow's 503s).
    expect(nativeOffReason(prep(['--artifacts-only']))).toBeUndefined();
    expect(nativeOffReason(prep(['--registry-store-uri', 'sqlite:///registry.db']))).toBeUndefined();
    expect(
      prep([], { MLFLOW_CREATE_MODEL_VERSION_SOURCE_VALIDATION_REGEX: '^s3://' }).modelVersionSourceRegex,
    ).toBe('^s3://');
    const ws = resolveServerConfig(
      parseOptions(['--enable-workspaces'], SERVER_OPTIONS, {}),
      {},
      { cwd, envFile: undefined },
    );
    expect(nativeOffReason(ws)).toMatch(/workspaces/);
  });

  it('refuses a store only Python serves when there is no Python child', () => {
    expect(usage(['--registry-store-uri', 'databricks-uc'])).toMatch(
      /the registry store 'databricks-uc' is not one/,
    );
    expect(usage(['--backend-store-uri', 'mssql+pyodbc://u@h/db'])).toMatch(
      /^the backend store 'mssql\+pyodbc:\/\/u@h\/db' is not one mlflow-ts serves natively \(sqlite, postgresql, mysql\)/,
    );
  });
});
