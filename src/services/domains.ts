/**
 * The API domains served natively, one module each (tracking, model registry, webhooks, ...). A
 * domain module exports its handlers as one object checked against the generated service
 * interface (`satisfies DomainHandlers<MlflowService<DomainContext>>`, or `Partial<...>` where no
 * field is streamed), so request and response types come from src/gen; the native RPC keys are
 * derived from these objects' keys, never listed by hand. Handlers reach their stores through
 * `ctx.stores`.
 */
import type {
  MlflowArtifactsService,
  MlflowService,
  ModelRegistryService,
  WebhookService,
} from '../gen/services.js';
import type { Stores } from '../stores/index.js';
import { trackingHandlers } from './tracking/index.js';
import { withDbErrors } from './db-errors.js';
import type { DomainContext, DomainHandlers, NativeHandler } from './types.js';
import { webhookHandlers } from './webhooks/index.js';
import { registryHandlers } from './registry/index.js';
import { mlflowArtifactsHandlers } from './artifacts/mlflow-artifacts.js';
import { runArtifactsHandlers } from './artifacts/run-artifacts.js';
import { presignedUrlHandlers } from './artifacts/presigned-urls.js';
import { loggedModelsHandlers } from './logged-models/index.js';
import { tracesHandlers } from './traces/index.js';

export type { DomainContext, DomainHandlers, Streamable } from './types.js';

/** Service name -> its generated interface, for the domain table below. */
interface ServiceInterfaces {
  MlflowService: MlflowService<DomainContext>;
  ModelRegistryService: ModelRegistryService<DomainContext>;
  MlflowArtifactsService: MlflowArtifactsService<DomainContext>;
  WebhookService: WebhookService<DomainContext>;
}

type DomainTable = { [S in keyof ServiceInterfaces]?: readonly DomainHandlers<ServiceInterfaces[S]>[] };

/** Each service's native domain modules. Add a module here and its RPCs are native. */
export const DOMAINS = {
  MlflowService: [trackingHandlers, loggedModelsHandlers, tracesHandlers, runArtifactsHandlers, presignedUrlHandlers],
  ModelRegistryService: [registryHandlers],
  MlflowArtifactsService: [mlflowArtifactsHandlers],
  WebhookService: [webhookHandlers],
} satisfies DomainTable;

/** `Service.rpc` keys of every domain handler (static: no store is opened to list them). */
export const DOMAIN_RPC_KEYS: readonly string[] = Object.entries(DOMAINS as DomainTable).flatMap(
  ([service, modules]) => (modules ?? []).flatMap((m) => Object.keys(m).map((rpc) => `${service}.${rpc}`)),
);

type DomainHandler = (request: unknown, ctx: DomainContext) => Promise<unknown>;

/**
 * The domain handlers over `stores`, keyed `Service.rpc`, with database errors read as MLflow's
 * (withDbErrors). The HTTP layer passes the stores in its request context, which then reaches
 * the handler as is; other callers (tests) may leave them out.
 */
export function bindDomainHandlers(stores: Stores): Record<string, NativeHandler> {
  const out: Record<string, NativeHandler> = {};
  for (const [service, modules] of Object.entries(DOMAINS as DomainTable)) {
    for (const module of modules ?? []) {
      const handlers = withDbErrors(module as Record<string, DomainHandler>);
      for (const [rpc, fn] of Object.entries(handlers)) {
        out[`${service}.${rpc}`] = (request, ctx) =>
          fn(request, ctx.stores === stores ? (ctx as DomainContext) : { ...ctx, stores });
      }
    }
  }
  return out;
}
