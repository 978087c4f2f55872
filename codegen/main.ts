/**
 * The generator: descriptor set (from extract_descriptors.py) -> src/gen/*.ts.
 * Usage: tsx codegen/main.ts <descriptors.pb> <out dir> <handler-schemas.json>
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDescriptors } from './descriptors.js';
import { emitHandlerSchemas, type HandlerSchemas } from './emit-handler-schemas.js';
import { emitMessages } from './emit-messages.js';
import { emitRoutes } from './emit-routes.js';
import { emitSchemas } from './emit-schemas.js';
import { emitServices } from './emit-services.js';
import { buildModel } from './model.js';
import { buildRpcs } from './rpcs.js';

function main(argv: string[]): void {
  const [pb, outDir, handlerSchemasPath] = argv;
  if (!pb || !outDir || !handlerSchemasPath) {
    throw new Error('usage: tsx codegen/main.ts <descriptors.pb> <out dir> <handler-schemas.json>');
  }
  const d = loadDescriptors(pb);
  const meta = JSON.parse(readFileSync(`${pb}.json`, 'utf8')) as {
    handled_requests?: string[];
    artifacts_only_disabled?: string[];
  };
  const version = d.meta.mlflow_version;
  const pin = readFileSync(new URL('../mlflow.pin', import.meta.url), 'utf8').trim();
  if (pin !== version) throw new Error(`descriptors come from MLflow ${version} but mlflow.pin says ${pin}`);
  const model = buildModel(d);
  const rpcs = buildRpcs(
    d,
    new Set(meta.handled_requests ?? []),
    new Set(meta.artifacts_only_disabled ?? []),
  );
  mkdirSync(outDir, { recursive: true });
  const files: Record<string, string> = {
    'messages.ts': emitMessages(model, version),
    'services.ts': emitServices(model, rpcs, version),
    'routes.ts': emitRoutes(rpcs, version),
    'schemas.ts': emitSchemas(model, version),
    'handler-schemas.ts': emitHandlerSchemas(
      JSON.parse(readFileSync(handlerSchemasPath, 'utf8')) as HandlerSchemas,
      new Set(model.byName.keys()),
      version,
    ),
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(outDir, name), text);
  const routes = rpcs.reduce((n, r) => n + r.routes.length, 0);
  console.log(
    `codegen: ${rpcs.length} RPCs, ${routes} routes, ${model.messages.length} messages, ${model.enums.length} enums -> ${outDir}`,
  );
}

main(process.argv.slice(2));
