/**
 * The model catalog mlflow.utils.providers reads prices from: the catalog bundled with the pinned
 * release (src/gen/model-catalog.ts) and the remote one at MLFLOW_MODEL_CATALOG_URI (one
 * `<provider>.json` per provider; http(s) or file://; '' disables it), kept per provider in a TTL
 * cache of MLFLOW_MODEL_CATALOG_CACHE_TTL seconds where a failed fetch is kept as empty, as
 * _fetch_remote_provider does.
 *
 * Remote catalogs are loaded ahead (loadRemoteProviders, async) and then read synchronously
 * (remoteModels) by the cost step; a provider whose catalog was never loaded is handed over.
 */
import { readFile } from 'node:fs/promises';
import { BUNDLED_MODEL_CATALOG } from '../../gen/model-catalog.js';
import { pyJsonLoadsExact, pyTruthyExact, type PyExact } from '../../py/json-exact.js';
import { unquote, urlparse } from '../../py/urlparse.js';
import { PyFloat } from '../../py/values.js';
import { NotNative } from '../raw-reply.js';
import type { ModelPrices } from './token-cost.js';

/** MLflow's default MLFLOW_MODEL_CATALOG_URI. */
export const DEFAULT_MODEL_CATALOG_URI =
  'https://github.com/mlflow/mlflow/releases/download/model-catalog%2Flatest';

export interface ModelCatalogConfig {
  /** MLFLOW_MODEL_CATALOG_URI; '' disables the remote catalog. */
  catalogUri: string;
  /**
   * MLFLOW_MODEL_CATALOG_CACHE_TTL in seconds; undefined when the variable is not an int, where
   * MLflow raises on every remote lookup (so the provider's lookup fails).
   */
  ttlSeconds: number | undefined;
  /** Seconds slept before each retry of a remote fetch (tests shorten them). */
  retryDelaysSeconds?: readonly number[];
}

/** cost_per_token raises here: the lookup with a provider gives no price at all. */
export class CatalogLookupError extends Error {}

export type ModelTable = ReadonlyMap<string, ModelPrices>;

// ---------------------------------------------------------------------------------------------
// Bundled catalog

/** The five prices of a catalog entry, in the order the generated rows list them. */
const PRICE_KEYS = ['input', 'output', 'cacheRead', 'cacheWrite', 'cacheWrite1h'] as const;
const PRICE_FIELDS = [
  'input_per_million_tokens',
  'output_per_million_tokens',
  'cache_read_per_million_tokens',
  'cache_write_per_million_tokens',
  'cache_write_1hr_per_million_tokens',
] as const;

let bundled: Map<string, ModelTable> | undefined;

/** Provider -> model -> prices of the bundled catalog, providers in _list_provider_names order. */
export function bundledCatalog(): ReadonlyMap<string, ModelTable> {
  if (bundled) return bundled;
  bundled = new Map();
  for (const [provider, rows] of BUNDLED_MODEL_CATALOG) {
    const models = new Map<string, ModelPrices>();
    for (const [model, ...prices] of rows) {
      const info: ModelPrices = {};
      prices.forEach((v, i) => {
        // _flatten_catalog_entry: `v / 1_000_000`, the same double division as Python's.
        if (v !== null && v !== undefined) info[PRICE_KEYS[i]!] = v / 1_000_000;
      });
      models.set(model, info);
    }
    bundled.set(provider, models);
  }
  return bundled;
}

/**
 * _load_bundled_provider(provider): the file `model_catalog/<provider>.json` of the package, {}
 * when there is none. A provider with a `/` is a path under that folder: `.` and empty segments
 * stay in it, and a segment that is not a folder fails to open, which Python treats as no catalog
 * (FileNotFoundError gives {}; NotADirectoryError raises and the lookup gives no price, the same
 * result). A path that may lead elsewhere (absolute, `..`, `__pycache__/`) is not followed here.
 */
export function bundledProvider(provider: string): ModelTable | undefined {
  if (!provider.includes('/')) return bundledCatalog().get(provider);
  const segments = provider.split('/');
  const last = segments.pop()!;
  for (const [i, seg] of segments.entries()) {
    if ((seg === '' && i === 0) || seg === '..' || seg === '__pycache__') {
      throw new NotNative('a model provider naming a path outside the model catalog');
    }
    if (seg !== '' && seg !== '.') return undefined;
  }
  return bundledCatalog().get(last);
}

// ---------------------------------------------------------------------------------------------
// Remote catalog

let config: ModelCatalogConfig = { catalogUri: DEFAULT_MODEL_CATALOG_URI, ttlSeconds: 86400 };

interface CacheEntry {
  /** performance.now() (ms) until which the entry is fresh. */
  expires: number;
  /** The parsed catalog; empty when the fetch failed (MLflow caches failures as {}). */
  models: ModelTable;
}

/** cachetools.TTLCache(maxsize=256, ttl): insertion order doubles as recency (re-set on use). */
const MAX_CACHED = 256;
const cache = new Map<string, CacheEntry>();
const inFlight = new Map<string, Promise<void>>();

/** Sets the remote catalog settings (from the server config) and forgets what was cached. */
export function configureModelCatalog(c: ModelCatalogConfig): void {
  config = { ...c };
  cache.clear();
  inFlight.clear();
}

type RemoteTarget = { kind: 'none' } | { kind: 'file'; path: string } | { kind: 'http'; url: string };

/**
 * Where _fetch_remote_provider would read a provider's catalog: nowhere when the URI is empty;
 * throws CatalogLookupError where it raises (the TTL is not an int; a scheme other than file,
 * http or https).
 */
function remoteTarget(provider: string): RemoteTarget {
  const base = config.catalogUri;
  if (!base) return { kind: 'none' };
  if (config.ttlSeconds === undefined) throw new CatalogLookupError('MLFLOW_MODEL_CATALOG_CACHE_TTL');
  const url = `${base.replace(/\/+$/, '')}/${provider}.json`;
  const parsed = urlparse(url);
  if (parsed.scheme === 'file') return { kind: 'file', path: unquote(parsed.path) };
  if (parsed.scheme === 'http' || parsed.scheme === 'https') return { kind: 'http', url };
  throw new CatalogLookupError(`Unsupported MLFLOW_MODEL_CATALOG_URI scheme: ${parsed.scheme}`);
}

function fresh(entry: CacheEntry | undefined): entry is CacheEntry {
  return entry !== undefined && performance.now() < entry.expires;
}

/**
 * What _fetch_remote_provider gives for an already loaded provider: its models, or undefined
 * (no remote catalog, or an empty or failed one: the bundled catalog is used). Throws
 * CatalogLookupError where MLflow raises, NotNative when the catalog was never loaded.
 */
export function remoteModels(provider: string): ModelTable | undefined {
  if (remoteTarget(provider).kind === 'none') return undefined;
  const entry = cache.get(provider);
  // An entry loaded for this batch may have expired since (a TTL of 0 expires at once); it is
  // what MLflow would have fetched for it.
  if (!entry) throw new NotNative('a model catalog that was not loaded');
  return entry.models.size > 0 ? entry.models : undefined;
}

/** Fetches (or reads) the remote catalogs of these providers that are not cached fresh. Never throws. */
export async function loadRemoteProviders(providers: Iterable<string>): Promise<void> {
  const waits: Promise<void>[] = [];
  for (const provider of new Set(providers)) {
    let target: RemoteTarget;
    try {
      target = remoteTarget(provider);
    } catch {
      continue;
    }
    if (target.kind === 'none' || fresh(cache.get(provider))) continue;
    let pending = inFlight.get(provider);
    if (!pending) {
      const ttl = config.ttlSeconds ?? 0;
      pending = fetchTarget(target)
        .then((models) => store(provider, models, ttl))
        .finally(() => inFlight.delete(provider));
      inFlight.set(provider, pending);
    }
    waits.push(pending);
  }
  await Promise.all(waits);
}

function store(provider: string, models: ModelTable | undefined, ttlSeconds: number): void {
  const now = performance.now();
  for (const [k, e] of cache) if (!(now < e.expires)) cache.delete(k);
  cache.delete(provider);
  while (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
  cache.set(provider, { expires: now + ttlSeconds * 1000, models: models ?? new Map() });
}

async function fetchTarget(target: RemoteTarget): Promise<ModelTable | undefined> {
  try {
    if (target.kind === 'file') {
      // Path.read_text('utf-8'): strict UTF-8, a BOM kept (json.loads then refuses it).
      const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(
        await readFile(target.path),
      );
      return parseCatalog(pyJsonLoadsExact(text));
    }
    if (target.kind === 'http') return parseCatalog(pyJsonLoadsExact(await fetchText(target.url)));
  } catch {
    // Any failure is a missing remote catalog (MLflow logs it at debug level).
  }
  return undefined;
}

/** Status codes MLflow retries a catalog fetch on (404 too: release assets briefly vanish). */
const RETRY_CODES = new Set([404, 408, 429, 500, 502, 503, 504]);
/** urllib3's backoff for backoff_factor=1 over MLflow's 3 retries (jitter left out). */
const DEFAULT_RETRY_DELAYS = [0, 2, 4];
const TIMEOUT_MS = 5000;

/**
 * cloud_storage_http_request('GET', url, max_retries=3, backoff_factor=1, timeout=5), then
 * raise_for_status and resp.json(): connection errors and the retry codes are retried, any other
 * failure throws. The body is read as requests' json() reads a body without a charset (UTF-8 with
 * a BOM dropped).
 */
async function fetchText(url: string): Promise<string> {
  const delays = config.retryDelaysSeconds ?? DEFAULT_RETRY_DELAYS;
  for (let attempt = 0; ; attempt++) {
    let res: Response | undefined;
    try {
      res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'follow' });
    } catch (e) {
      if (attempt >= delays.length) throw e;
    }
    if (res) {
      if (res.ok) return new TextDecoder('utf-8').decode(await res.arrayBuffer());
      await res.body?.cancel();
      if (!RETRY_CODES.has(res.status) || attempt >= delays.length) throw new Error(`HTTP ${res.status}`);
    }
    await new Promise((r) => setTimeout(r, (delays[attempt] ?? 0) * 1000));
  }
}

/** A dict of the decoded JSON (only a dict has the `.get` the parser calls). */
const isDict = (v: PyExact | undefined): v is Map<string, PyExact> => v instanceof Map;

/**
 * _parse_catalog_models over a decoded catalog file; undefined where it raises (the whole file
 * is then a failed fetch): the file, its `models` and every entry must be dicts, a truthy
 * context_window, pricing or capabilities must be a dict, and each price present must be a
 * number Python can divide by 1_000_000.
 */
export function parseCatalog(catalog: PyExact): ModelTable | undefined {
  if (!isDict(catalog)) return undefined;
  const models = catalog.has('models') ? catalog.get('models') : new Map<string, PyExact>();
  if (!isDict(models)) return undefined;
  const out = new Map<string, ModelPrices>();
  for (const [name, entry] of models) {
    if (!isDict(entry)) return undefined;
    const info: ModelPrices = {};
    for (const key of ['context_window', 'pricing', 'capabilities']) {
      const v = entry.get(key);
      if (v !== undefined && pyTruthyExact(v) && !isDict(v)) return undefined;
    }
    const pricing = entry.get('pricing');
    if (isDict(pricing) && pricing.size > 0) {
      for (let i = 0; i < PRICE_FIELDS.length; i++) {
        const v = pricing.get(PRICE_FIELDS[i]!);
        if (v === undefined || v === null) continue;
        const perToken = perMillion(v);
        if (perToken === undefined) return undefined;
        info[PRICE_KEYS[i]!] = perToken;
      }
    }
    out.set(name, info);
  }
  return out;
}

/** `v / 1_000_000` in Python: true division, correctly rounded; undefined where it raises. */
function perMillion(v: PyExact): number | undefined {
  if (typeof v === 'boolean') return (v ? 1 : 0) / 1_000_000;
  if (typeof v === 'number') return v / 1_000_000;
  if (v instanceof PyFloat) return v.value / 1_000_000;
  if (typeof v === 'bigint') return bigIntPerMillion(v);
  return undefined;
}

/**
 * int / 1_000_000 for an int beyond 2**53: the exact quotient rounded once (a double of the
 * numerator first would round twice); undefined past the double range (OverflowError).
 */
function bigIntPerMillion(n: bigint): number | undefined {
  const neg = n < 0n;
  const a = neg ? -n : n;
  // 64 extra bits of quotient, then the bits a double cannot hold folded into a sticky bit so
  // that Number() rounds once, to nearest even, as Python's true division does.
  const num = a << 64n;
  let q = num / 1_000_000n;
  let sticky = num % 1_000_000n !== 0n;
  const bits = q.toString(2).length;
  let shift = 0;
  if (bits > 64) {
    shift = bits - 64;
    const dropped = q & ((1n << BigInt(shift)) - 1n);
    if (dropped !== 0n) sticky = true;
    q >>= BigInt(shift);
  }
  if (sticky) q |= 1n;
  let r = Number(q);
  // Scale by 2**(shift - 64) in steps that stay exact.
  let e = shift - 64;
  while (e > 0) {
    const s = Math.min(e, 1000);
    r *= 2 ** s;
    e -= s;
  }
  while (e < 0) {
    const s = Math.min(-e, 1000);
    r /= 2 ** s;
    e += s;
  }
  if (!Number.isFinite(r)) return undefined;
  return neg ? -r : r;
}
