/**
 * The API domains served natively, one module each (model registry, webhooks, ...). A domain
 * module exports its handlers as one object checked against the generated service interface
 * (`satisfies Partial<ModelRegistryService<DomainContext>>`), so request and response types come
 * from src/gen; the native RPC keys are derived from these objects' keys, never listed by hand.
 * Handlers reach their stores through `ctx.stores`.
 */
import type {
  MlflowArtifactsService,
  MlflowService,
  ModelRegistryService,
  WebhookService,
} from '../gen/services.js';
import type { Stores } from '../stores/index.js';
import { mlflowArtifactsHandlers } from './artifacts/mlflow-artifacts.js';
import { runArtifactsHandlers } from './artifacts/run-artifacts.js';
import type { NativeHandler, RequestContext } from './types.js';

/** What a domain handler is called with: the request's context plus the opened stores. */
export interface DomainContext extends RequestContext {
  stores: Stores;
}

/** Service name -> its generated interface, for the domain table below. */
interface ServiceInterfaces {
  MlflowService: MlflowService<DomainContext>;
  ModelRegistryService: ModelRegistryService<DomainContext>;
  MlflowArtifactsService: MlflowArtifactsService<DomainContext>;
  WebhookService: WebhookService<DomainContext>;
}

type DomainTable = { [S in keyof ServiceInterfaces]?: readonly Partial<ServiceInterfaces[S]>[] };

/** Each service's native domain modules. Add a module here and its RPCs are native. */
export const DOMAINS = {
  MlflowService: [runArtifactsHandlers],
  MlflowArtifactsService: [mlflowArtifactsHandlers],
} satisfies DomainTable;

/** `Service.rpc` keys of every domain handler (static: no store is opened to list them). */
export const DOMAIN_RPC_KEYS: readonly string[] = Object.entries(DOMAINS as DomainTable).flatMap(
  ([service, modules]) => (modules ?? []).flatMap((m) => Object.keys(m).map((rpc) => `${service}.${rpc}`)),
);

/** The domain handlers bound to the stores, keyed `Service.rpc`. */
export function bindDomainHandlers(stores: Stores): Record<string, NativeHandler> {
  const out: Record<string, NativeHandler> = {};
  for (const [service, modules] of Object.entries(DOMAINS as DomainTable)) {
    for (const module of modules ?? []) {
      for (const [rpc, fn] of Object.entries(module as Record<string, NativeHandler>)) {
        out[`${service}.${rpc}`] = (request, ctx) => fn.call(module, request, { ...ctx, stores });
      }
    }
  }
  return out;
}
