/**
 * Loads the FileDescriptorSet written by extract_descriptors.py and exposes what the emitters
 * need: the served services (in the order the server registers them), every message and enum
 * of the MLflow files, and the custom `databricks.proto` options read as extensions.
 */
import { readFileSync } from 'node:fs';
import {
  createFileRegistry,
  fromBinary,
  getOption,
  hasOption,
  type DescEnum,
  type DescExtension,
  type DescField,
  type DescMessage,
  type DescMethod,
  type DescService,
  type FileRegistry,
} from '@bufbuild/protobuf';
import { FileDescriptorSetSchema } from '@bufbuild/protobuf/wkt';

export interface ExtractMeta {
  mlflow_version: string;
  services: string[];
}

export interface HttpEndpointOption {
  method: string;
  path: string;
  since: { major: number; minor: number };
}

export interface Descriptors {
  registry: FileRegistry;
  meta: ExtractMeta;
  services: DescService[];
  messages: DescMessage[];
  enums: DescEnum[];
  rpcEndpoints(method: DescMethod): HttpEndpointOption[];
  validateRequired(field: DescField): boolean;
}

/** Files whose types are represented specially (well-known types) or are not wire types. */
function isInfraFile(name: string): boolean {
  return name.startsWith('google/protobuf/') || name.startsWith('scalapb/');
}

function requireExtension(registry: FileRegistry, name: string): DescExtension {
  const ext = registry.getExtension(name);
  if (!ext) throw new Error(`descriptor set lacks the extension ${name}`);
  return ext;
}

export function loadDescriptors(pbPath: string): Descriptors {
  const meta = JSON.parse(readFileSync(`${pbPath}.json`, 'utf8')) as ExtractMeta;
  const set = fromBinary(FileDescriptorSetSchema, readFileSync(pbPath));
  const registry = createFileRegistry(set);

  const services = meta.services.map((name) => {
    const s = registry.getService(name);
    if (!s) throw new Error(`descriptor set lacks the served service ${name}`);
    return s;
  });

  const messages: DescMessage[] = [];
  const enums: DescEnum[] = [];
  const walk = (m: DescMessage): void => {
    // Map entries are synthetic; their shape is carried by the map field itself.
    if (m.proto.options?.mapEntry) return;
    messages.push(m);
    enums.push(...m.nestedEnums);
    m.nestedMessages.forEach(walk);
  };
  for (const file of registry.files) {
    if (isInfraFile(file.name)) continue;
    enums.push(...file.enums);
    file.messages.forEach(walk);
  }
  // Sorted by full name so the output does not depend on file order.
  messages.sort((a, b) => cmp(a.typeName, b.typeName));
  enums.sort((a, b) => cmp(a.typeName, b.typeName));

  const rpcExt = requireExtension(registry, 'mlflow.rpc');
  const requiredExt = requireExtension(registry, 'mlflow.validate_required');

  return {
    registry,
    meta,
    services,
    messages,
    enums,
    rpcEndpoints(method) {
      if (!hasOption(method, rpcExt)) return [];
      const rpc = getOption(method, rpcExt) as unknown as { endpoints: HttpEndpointOption[] };
      return rpc.endpoints.map((e) => ({
        method: e.method,
        path: e.path,
        since: { major: e.since?.major ?? 0, minor: e.since?.minor ?? 0 },
      }));
    },
    validateRequired(field) {
      return hasOption(field, requiredExt) && (getOption(field, requiredExt) as unknown as boolean) === true;
    },
  };
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
