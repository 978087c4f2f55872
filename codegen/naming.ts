/**
 * TS names for proto types. `mlflow.GetRun` -> `GetRun`, nested `GetRun.Response` ->
 * `GetRun_Response`. A type of another package keeps the bare name unless it would collide with
 * one already taken by package `mlflow`; then it is prefixed with its package in PascalCase
 * (`mlflow.artifacts.ListArtifacts` -> `MlflowArtifacts_ListArtifacts`). Deterministic:
 * `mlflow` wins, then full names in sorted order.
 */
import type { DescEnum, DescMessage } from '@bufbuild/protobuf';
import { cmp } from './descriptors.js';

type Named = DescMessage | DescEnum;

function packageOf(t: Named): string {
  return t.file.proto.package;
}

function localPath(t: Named): string {
  const pkg = packageOf(t);
  const rest = pkg ? t.typeName.slice(pkg.length + 1) : t.typeName;
  return rest.split('.').join('_');
}

function pascal(s: string): string {
  return s
    .split(/[._]/)
    .filter(Boolean)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('');
}

export function buildTypeNames(types: readonly Named[]): Map<string, string> {
  const sorted = [...types].sort((a, b) => {
    const am = packageOf(a) === 'mlflow' ? 0 : 1;
    const bm = packageOf(b) === 'mlflow' ? 0 : 1;
    return am - bm || cmp(a.typeName, b.typeName);
  });
  const taken = new Set<string>();
  const out = new Map<string, string>();
  for (const t of sorted) {
    let name = localPath(t);
    if (taken.has(name)) name = `${pascal(packageOf(t))}_${name}`;
    if (taken.has(name)) throw new Error(`type name collision on ${name} (${t.typeName})`);
    taken.add(name);
    out.set(t.typeName, name);
  }
  return out;
}

/** protobuf's default JSON name: drop underscores, upper-case the letter after each. */
export function jsonNameOf(protoName: string): string {
  let out = '';
  let up = false;
  for (const ch of protoName) {
    if (ch === '_') up = true;
    else {
      out += up ? ch.toUpperCase() : ch;
      up = false;
    }
  }
  return out;
}
