// The systems under test and how to start each one against a backend store.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, type Server } from './proc.js';

export type SystemId = 'mlflow-ts' | 'mlflow' | 'mlflow-go' | 'fasttrackml';
/** Which database template a system gets: MLflow 3.18 schema, the MLflow version mlflow-go runs with, or FastTrackML's own. */
export type SchemaKind = 'mlflow' | 'go' | 'fml';

export interface SystemDef {
  id: SystemId;
  label: string;
  schema: SchemaKind;
  /** undefined when usable, else why not */
  unavailable(): string | undefined;
  start(backendUri: string, port: number, logFile: string): Promise<Server>;
  /** Builds the backend URI for a PostgreSQL database (base = postgresql://user@host:port) or a SQLite file. */
  pgUri(base: string, db: string): string;
  sqliteUri(file: string): string;
  /** The backend URI for a MySQL database (base = mysql://user@host:port); undefined: not run on MySQL. */
  mysqlUri?(base: string, db: string): string;
  /** Python interpreter that can create this system's schema (MLflow-schema systems). */
  python?: string;
}

export function systems(root: string, work: string): SystemDef[] {
  const art = join(work, 'artifacts');
  mkdirSync(art, { recursive: true });
  const venv = (n: string) => join(work, n, 'bin');
  const uiDir = (): Record<string, string> => {
    const dir = join(work, 'venv-mlflow/lib/python3.11/site-packages/mlflow/server/js/build');
    return existsSync(dir) ? { MLFLOW_TS_UI_DIR: dir } : {};
  };
  const pyServer =
    (bin: string, extraEnv: NodeJS.ProcessEnv = {}) =>
    (uri: string, port: number, log: string, args: string[] = []) =>
      startServer({
        name: bin,
        cmd: bin,
        args: [
          'server',
          '--backend-store-uri',
          uri,
          '--default-artifact-root',
          art,
          '--host',
          '127.0.0.1',
          '--port',
          String(port),
          ...args,
        ],
        env: { MLFLOW_SQLALCHEMYSTORE_ECHO: 'false', ...extraEnv },
        port,
        healthPath: '/health',
        logFile: log,
        timeoutMs: 120_000,
      });
  return [
    {
      id: 'mlflow-ts',
      label: 'mlflow-ts',
      schema: 'mlflow',
      unavailable: () =>
        existsSync(join(root, 'dist/cli/main.js')) ? undefined : 'not built (npm run build failed?)',
      start: (uri, port, log) =>
        startServer({
          name: 'mlflow-ts',
          cmd: process.execPath,
          args: [
            join(root, 'bin/mlflow-ts.js'),
            'server',
            '--no-python',
            '--backend-store-uri',
            uri,
            '--default-artifact-root',
            art,
            '--host',
            '127.0.0.1',
            '--port',
            String(port),
          ],
          // The pinned UI's files from the bench's MLflow venv (U1 loads the UI from mlflow-ts alone).
          env: { MLFLOW_TS_LOG_LEVEL: 'warn', ...uiDir() },
          port,
          healthPath: '/health',
          logFile: log,
        }),
      pgUri: (b, db) => `${b}/${db}`,
      sqliteUri: (f) => `sqlite:///${f}`,
      mysqlUri: (b, db) => `${b}/${db}`,
    },
    {
      id: 'mlflow',
      label: 'MLflow 3.18 (Python)',
      schema: 'mlflow',
      python: join(venv('venv-mlflow'), 'python'),
      unavailable: () =>
        existsSync(join(venv('venv-mlflow'), 'mlflow')) ? undefined : 'bench/.work/venv-mlflow missing',
      start: (uri, port, log) =>
        pyServer(join(venv('venv-mlflow'), 'mlflow'))(uri, port, log, [
          '--uvicorn-opts',
          // uvicorn's supervisor kills a worker that misses its 5 s health check; on a busy 2-core
          // machine that happens under load ("Child process died"), so it gets 60 s here.
          '--no-access-log --timeout-worker-healthcheck 60',
        ]),
      pgUri: (b, db) => `${b}/${db}`,
      sqliteUri: (f) => `sqlite:///${f}`,
      // PyMySQL, as MLflow's docs spell it (a bare mysql:// means mysqlclient to SQLAlchemy).
      mysqlUri: (b, db) => `${b.replace(/^mysql:/, 'mysql+pymysql:')}/${db}`,
    },
    {
      id: 'mlflow-go',
      label: 'mlflow-go 0.2.2',
      schema: 'go',
      python: join(venv('venv-go'), 'python'),
      unavailable: () =>
        existsSync(join(venv('venv-go'), 'mlflow-go')) ? undefined : 'bench/.work/venv-go missing',
      start: (uri, port, log) =>
        // The Go server spawns `mlflow server` (from PATH) as its child for the RPCs it does not serve.
        pyServer(join(venv('venv-go'), 'mlflow-go'), {
          PATH: `${venv('venv-go')}:${process.env.PATH}`,
          MLFLOW_GO_LIBRARY_PATH: join(work, 'go-lib'),
        })(uri, port, log, ['--go-opts', 'log_level=fatal']),
      pgUri: (b, db) => `${b}/${db}`,
      sqliteUri: (f) => `sqlite:///${f}`,
    },
    {
      id: 'fasttrackml',
      label: 'FastTrackML 0.6.0',
      schema: 'fml',
      unavailable: () =>
        existsSync(join(venv('venv-fml'), 'fml')) ? undefined : 'bench/.work/venv-fml missing',
      start: (uri, port, log) =>
        startServer({
          name: 'fasttrackml',
          cmd: join(venv('venv-fml'), 'fml'),
          args: [
            'server',
            '--listen-address',
            `127.0.0.1:${port}`,
            '--database-uri',
            uri,
            '--default-artifact-root',
            art,
            '--log-level',
            'error',
            '--database-pool-max',
            '20',
          ],
          port,
          healthPath: '/health',
          logFile: log,
        }),
      pgUri: (b, db) => `${b.replace(/^postgresql:/, 'postgres:')}/${db}?sslmode=disable`,
      sqliteUri: (f) => `sqlite://${f}`,
    },
  ];
}
