/**
 * GET/POST `<prefix>/graphql` (handlers._graphql): the UI's run and experiment pages read through
 * it. The request JSON's `query` is parsed, checked against the query limits (limits.ts), then
 * validated and executed on the pinned schema (schema.ts) over the native handlers
 * (resolvers.ts). The answer is Flask's jsonify of `{"data": ..., "errors": [messages] | null}`:
 * sorted keys, compact, Python float reprs, a trailing newline. As in MLflow, a request without a
 * JSON object holding a query string, or with a query that does not parse, is a bare 500.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { execute, GraphQLError, parse, validate, type DocumentNode, type ExecutionResult } from 'graphql';
import { MlflowError } from '../../errors/mlflow-error.js';
import { checkContentType } from '../../services/content-type.js';
import { NotNative, RawReply } from '../../services/raw-reply.js';
import type { NativeHandlers } from '../../services/types.js';
import type { Stores } from '../../stores/index.js';
import { jsonDumps } from '../../py/json.js';
import { PyFloat, type PyJson } from '../../py/values.js';
import { sendMlflowError, sendRaw } from '../rpc-routes.js';
import { queryRefusal, type GraphqlLimits } from './limits.js';
import { fieldResolver, type ResolverContext } from './resolvers.js';
import { mlflowSchema } from './schema.js';


/** The only numbers in a result are Float fields (int64 ones are LongString strings). */
function pyJson(v: unknown): PyJson {
  if (typeof v === 'number') return new PyFloat(v);
  if (Array.isArray(v)) return v.map(pyJson);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, PyJson> = {};
    for (const [k, x] of Object.entries(v)) out[k] = pyJson(x);
    return out;
  }
  return v as PyJson;
}

/**
 * graphql-core's messages quote names with single quotes where graphql-js uses double ones;
 * errors raised by resolvers (MLflow's own messages) are kept as they are.
 */
function message(err: GraphQLError): string {
  const raised = err.originalError && !(err.originalError instanceof GraphQLError);
  return raised ? err.message : err.message.replaceAll('"', "'");
}

function readJson(request: FastifyRequest): unknown {
  const body = request.body;
  if (body === undefined || body === null) return undefined;
  const text = Buffer.isBuffer(body) ? body.toString('utf8') : String(body);
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

class PythonCrashed extends Error {}

async function run(
  request: FastifyRequest,
  handlers: NativeHandlers,
  stores: Stores,
  limits: GraphqlLimits,
): Promise<ExecutionResult> {
  const contentType = request.headers['content-type'];
  checkContentType(request.method, contentType);
  const json = readJson(request);
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw new PythonCrashed('AttributeError');
  const { query, variables, operationName } = json as Record<string, unknown>;
  if (typeof query !== 'string') throw new PythonCrashed('TypeError: Must provide Source');
  let doc: DocumentNode;
  try {
    doc = parse(query);
  } catch {
    throw new PythonCrashed('GraphQLSyntaxError');
  }
  const refusal = queryRefusal(doc, limits);
  if (refusal) return { data: null, errors: [new GraphQLError(refusal)] } as ExecutionResult;
  const schema = mlflowSchema();
  const invalid = validate(schema, doc);
  if (invalid.length > 0) return { data: null, errors: invalid } as ExecutionResult;
  const opName = typeof operationName === 'string' ? operationName : undefined;
  const q = request.url.indexOf('?');
  const ctx: ResolverContext = {
    handlers,
    request: {
      log: request.log,
      stores,
      headers: request.headers,
      args: () => new URLSearchParams(q < 0 ? '' : request.url.slice(q + 1)),
    },
  };
  return execute({
    schema,
    document: doc,
    variableValues:
      typeof variables === 'object' && variables !== null
        ? (variables as Record<string, unknown>)
        : undefined,
    operationName: opName,
    contextValue: ctx,
    fieldResolver,
  });
}

export function registerGraphqlRoute(
  app: FastifyInstance,
  opts: {
    staticPrefix: string;
    handlers: NativeHandlers;
    stores: Stores;
    limits: GraphqlLimits;
    bodyLimit: number;
    fallback: (request: FastifyRequest, reply: FastifyReply) => unknown;
  },
): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    let result: ExecutionResult;
    try {
      result = await run(request, opts.handlers, opts.stores, opts.limits);
    } catch (err) {
      if (err instanceof MlflowError) return sendMlflowError(reply, err);
      if (!(err instanceof PythonCrashed)) request.log.error({ err }, 'graphql request failed');
      return sendRaw(reply, RawReply.flask500());
    }
    // A field whose data lives where mlflow-ts has no backend: the whole query goes to Python.
    if (result.errors?.some((e) => e.originalError instanceof NotNative)) {
      await opts.fallback(request, reply);
      return reply;
    }
    const body = jsonDumps({
      data: result.data === undefined || result.data === null ? null : pyJson(result.data),
      errors: result.errors && result.errors.length > 0 ? result.errors.map(message) : null,
    });
    return reply
      .code(200)
      .header('content-type', 'application/json')
      .send(Buffer.from(`${body}\n`));
  };
  void app.register(async (scope) => {
    // The body is read as bytes whatever its content type: _graphql checks the type itself and
    // reads the JSON leniently (get_json(force=True, silent=True)).
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: opts.bodyLimit }, (_req, body, done) =>
      done(null, body),
    );
    scope.route({ method: ['GET', 'POST'], url: `${opts.staticPrefix}/graphql`, handler });
  });
}
