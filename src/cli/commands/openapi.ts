/**
 * `mlflow-ts openapi [--static-prefix P] [--no-ajax]`: an OpenAPI 3.1 document of every proto
 * route of the pinned MLflow, from the generated RPC table and JSON Schemas. GET requests are
 * documented as query parameters (how MLflow reads them), other methods as JSON bodies.
 */
import { MLFLOW_VERSION, RPCS, type RpcInfo, type RpcRoute } from '../../gen/routes.js';
import { JSON_SCHEMAS, MESSAGES, type FieldMeta } from '../../gen/schemas.js';
import { FLASK_ROUTE_ALIASES } from '../../http/rpc-routes.js';
import { UsageError } from '../usage-error.js';
import { loadNativeRpcKeys } from './endpoints.js';

export interface OpenApiOptions {
  staticPrefix: string;
  ajax: boolean;
}

export function parseOpenApiArgs(args: readonly string[]): OpenApiOptions {
  const o: OpenApiOptions = { staticPrefix: '', ajax: true };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--no-ajax') o.ajax = false;
    else if (a === '--static-prefix' || a.startsWith('--static-prefix=')) {
      const v = a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[++i];
      if (v === undefined) throw new UsageError("Option '--static-prefix' requires an argument.");
      o.staticPrefix = v.replace(/\/+$/, '');
    } else throw new UsageError(`No such option: ${a}`);
  }
  return o;
}

type Obj = Record<string, unknown>;

function schemaName(fullName: string): string {
  return MESSAGES[fullName]!.tsName;
}

/** Fastify url -> OpenAPI path template. */
function openApiPath(route: RpcRoute, url: string): string {
  return url.replace(/:(\w+)/g, '{$1}').replace('*', `{${route.params['*'] ?? 'path'}}`);
}

function queryParameter(f: FieldMeta, props: Obj): Obj | undefined {
  // Nested messages and maps cannot be written in a query string (MLflow passes strings).
  if (f.kind === 'message' || f.kind === 'map') return undefined;
  return {
    name: f.name,
    in: 'query',
    required: false,
    ...(f.repeated ? { explode: true, style: 'form' } : {}),
    schema: props[f.name],
  };
}

/**
 * RPCs whose success is not their proto Response as JSON: the mlflow-artifacts service sends a
 * file's bytes (with the content type of its name), and answers an upload with an empty body.
 */
const RAW_SUCCESS: Readonly<Record<string, Obj>> = {
  'MlflowArtifactsService.downloadArtifact': {
    description: "the file's bytes, with the content type of its name",
    content: { '*/*': { schema: { type: 'string', format: 'binary' } } },
  },
  'MlflowArtifactsService.uploadArtifact': { description: 'an empty body' },
};

function operation(rpc: RpcInfo, route: RpcRoute, native: boolean, opId: string): Obj {
  const pathParams = Object.values(route.params).map((name) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const op: Obj = {
    operationId: opId,
    tags: [rpc.service],
    summary: rpc.rpc,
    'x-mlflow-rpc': rpc.key,
    'x-mlflow-ts-serving': native ? 'native' : 'proxied',
    responses: {
      '200': RAW_SUCCESS[rpc.key] ?? {
        description: rpc.responseType,
        content: {
          'application/json': { schema: { $ref: `#/components/schemas/${schemaName(rpc.responseType)}` } },
        },
      },
      default: {
        description:
          "MLflow error: MLflow's JSON; FastAPI's `{detail}` where the pinned server answers before " +
          "MLflow's handler (the artifact routes' path checks); or werkzeug's HTML page where the " +
          'handler does not answer itself (400 for an unreadable request, 500 for a request it crashes on)',
        content: {
          'application/json': {
            schema: {
              anyOf: [
                { $ref: '#/components/schemas/MlflowErrorResponse' },
                { $ref: '#/components/schemas/FastApiErrorResponse' },
              ],
            },
          },
          'text/html': { schema: { type: 'string' } },
        },
      },
    },
  };
  const pathNames = new Set(Object.values(route.params));
  if (route.method === 'GET') {
    const props = (JSON_SCHEMAS[schemaName(rpc.requestType)] as { properties: Obj }).properties;
    const qp = MESSAGES[rpc.requestType]!.fields.filter((f) => !pathNames.has(f.name))
      .map((f) => queryParameter(f, props))
      .filter((p): p is Obj => p !== undefined);
    op.parameters = [...pathParams, ...qp];
  } else {
    if (pathParams.length) op.parameters = pathParams;
    op.requestBody = {
      required: false,
      content: {
        'application/json': { schema: { $ref: `#/components/schemas/${schemaName(rpc.requestType)}` } },
      },
    };
  }
  return op;
}

export function buildOpenApi(opts: OpenApiOptions, nativeKeys: readonly string[]): Obj {
  const native = new Set(nativeKeys);
  const paths: Record<string, Obj> = {};
  for (const rpc of RPCS) {
    const multi = rpc.endpoints.length > 1;
    const aliases = FLASK_ROUTE_ALIASES[rpc.key] ?? [];
    // An RPC MLflow maps to no handler answers its 404 on the generated routes (left out); its
    // Flask aliases, which the UI calls, are what serves it.
    const routes = rpc.handledByMlflow ? [...rpc.routes, ...aliases] : aliases;
    for (const route of routes) {
      if (route.prefix === 'ajax-api' && !opts.ajax) continue;
      const url = route.prefix === 'ajax-api' ? `${opts.staticPrefix}${route.url}` : route.url;
      const p = openApiPath(route, url);
      const opId =
        `${rpc.service}.${rpc.rpc}` +
        (multi ? `.${route.method.toLowerCase()}` : '') +
        (route.prefix === 'ajax-api' ? '.ajax' : '');
      (paths[p] ??= {})[route.method.toLowerCase()] = operation(rpc, route, native.has(rpc.key), opId);
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'MLflow tracking server (mlflow-ts)',
      version: MLFLOW_VERSION,
      description:
        `The proto-defined REST API of MLflow ${MLFLOW_VERSION} as served by mlflow-ts. ` +
        'JSON uses proto field names; int64 values are JSON numbers; enums are names.',
    },
    paths,
    components: {
      schemas: {
        ...JSON_SCHEMAS,
        FastApiErrorResponse: {
          type: 'object',
          required: ['detail'],
          properties: { detail: {} },
        },
        MlflowErrorResponse: {
          type: 'object',
          required: ['error_code', 'message'],
          properties: {
            error_code: { $ref: '#/components/schemas/ErrorCode' },
            message: { type: 'string' },
            sqlstate: { type: 'string' },
            error_class: { type: 'string' },
          },
        },
      },
    },
  };
}

/** The document as pretty JSON text; pure. */
export function formatOpenApi(args: readonly string[], nativeKeys: readonly string[]): string {
  return JSON.stringify(buildOpenApi(parseOpenApiArgs(args), nativeKeys), null, 2) + '\n';
}

/** `mlflow-ts openapi`: prints the document to stdout and returns it (native keys as for endpoints). */
export async function openapiCommand(
  args: readonly string[],
  nativeKeys?: readonly string[],
): Promise<string> {
  const text = formatOpenApi(args, nativeKeys ?? (await loadNativeRpcKeys()));
  process.stdout.write(text);
  return text;
}
