import { FLASK_ROUTE_ALIASES } from '../../src/http/rpc-routes.js';
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { formatEndpoints } from '../../src/cli/commands/endpoints.js';
import { buildOpenApi, formatOpenApi } from '../../src/cli/commands/openapi.js';
import { UsageError } from '../../src/cli/usage-error.js';
import { RPCS } from '../../src/gen/routes.js';

describe('mlflow-ts endpoints', () => {
  it('lists every RPC with routes and native/proxied', () => {
    const text = formatEndpoints([], ['MlflowService.getRun']);
    expect(text).toContain(`${RPCS.length} RPCs, 1 native, ${RPCS.length - 1} proxied`);
    expect(text).toMatch(/native +MlflowService\.getRun +GET\n +GET +\/api\/2\.0\/mlflow\/runs\/get\n/);
    expect(text).toMatch(/proxied +MlflowService\.searchRuns +POST/);
  });

  it('prints JSON for machines, filtered, with the static prefix on ajax routes', () => {
    const out = JSON.parse(
      formatEndpoints(['--json', '--native', '--static-prefix', '/p/'], ['MlflowService.getRun']),
    );
    expect(out.mlflowVersion).toBe('3.18.0');
    expect(out.rpcs).toHaveLength(1);
    expect(out.rpcs[0]).toMatchObject({
      key: 'MlflowService.getRun',
      serving: 'native',
      routes: [
        { method: 'GET', url: '/api/2.0/mlflow/runs/get' },
        { method: 'GET', url: '/p/ajax-api/2.0/mlflow/runs/get' },
      ],
    });
  });

  it('refuses unknown options', () => {
    expect(() => formatEndpoints(['--bogus'], [])).toThrow(UsageError);
  });
});

describe('mlflow-ts openapi', () => {
  it('documents every route as OpenAPI 3.1', () => {
    const doc = buildOpenApi({ staticPrefix: '', ajax: true }, []) as {
      openapi: string;
      paths: Record<
        string,
        Record<string, { operationId: string; parameters?: { name: string; in: string }[] }>
      >;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toBe('3.1.0');
    const ops = Object.values(doc.paths).flatMap((p) => Object.values(p));
    // Routes of RPCs MLflow maps to no handler (its 404) are left out; their Flask aliases are in.
    const served = RPCS.reduce((n, r) => n + (r.handledByMlflow ? r.routes.length : 0), 0);
    expect(ops).toHaveLength(served + Object.values(FLASK_ROUTE_ALIASES).flat().length);
    expect(doc.paths['/ajax-api/2.0/mlflow/experiments/search-datasets']).toBeDefined();
    expect(doc.paths['/api/2.0mlflow/experiments/search-datasets']).toBeUndefined();
    expect(new Set(ops.map((o) => o.operationId)).size).toBe(ops.length);
    const getRun = doc.paths['/api/2.0/mlflow/runs/get']!['get']!;
    expect(getRun.parameters!.map((p) => `${p.in}:${p.name}`)).toEqual(['query:run_uuid', 'query:run_id']);
    const tag = doc.paths['/api/2.0/mlflow/logged-models/{model_id}/tags/{tag_key}']!['delete']!;
    expect(tag.parameters!.map((p) => `${p.in}:${p.name}`)).toEqual(['path:model_id', 'path:tag_key']);
    expect(doc.paths['/api/2.0/mlflow-artifacts/artifacts/{artifact_path}']).toBeDefined();
    // Every $ref resolves.
    const text = formatOpenApi([], []);
    for (const m of text.matchAll(/"\$ref": "#\/components\/schemas\/([^"]+)"/g)) {
      expect(doc.components.schemas[m[1]!], m[1]).toBeDefined();
    }
  });
});

describe('as main.ts calls them (argv only)', () => {
  it('prints with the native keys of src/services/native.ts', async () => {
    const { endpointsCommand } = await import('../../src/cli/commands/endpoints.js');
    const { NATIVE_RPC_KEYS } = await import('../../src/services/native.js');
    const writes: string[] = [];
    const orig = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => (writes.push(chunk), true)) as typeof process.stdout.write;
    try {
      await endpointsCommand(['--json']);
    } finally {
      process.stdout.write = orig;
    }
    const out = JSON.parse(writes.join(''));
    expect(out.rpcs.filter((r: { serving: string }) => r.serving === 'native')).toHaveLength(
      NATIVE_RPC_KEYS.length,
    );
  });
});

// openapi-spec-validator, where the machine's python3 has it (it is not a project dependency).
const hasValidator =
  spawnSync('python3', ['-c', 'import openapi_spec_validator'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!hasValidator)('the OpenAPI document', () => {
  it('passes openapi-spec-validator', () => {
    const out = execFileSync(
      'python3',
      [
        '-c',
        'import json,sys; from openapi_spec_validator import validate; validate(json.load(sys.stdin)); print("valid")',
      ],
      { input: formatOpenApi(['--static-prefix', '/p'], []), encoding: 'utf8', maxBuffer: 1 << 26 },
    );
    expect(out.trim()).toBe('valid');
  });
});
