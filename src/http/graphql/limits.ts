/**
 * graphql_no_batching.check_query_safety: before a query runs, its operations are walked (fragment
 * spreads and inline fragments merged into the level they appear at, each fragment once per path)
 * and refused past depth 10, 1000 selections, MLFLOW_SERVER_GRAPHQL_MAX_ROOT_FIELDS root fields or
 * MLFLOW_SERVER_GRAPHQL_MAX_ALIASES aliases at one level.
 */
import {
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

const MAX_DEPTH = 10;
const MAX_SELECTIONS = 1000;

export interface GraphqlLimits {
  maxRootFields: number;
  maxAliases: number;
}

class Refused extends Error {}

function collect(
  set: SelectionSetNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  visited: ReadonlySet<string>,
): [FieldNode[], number] {
  const fields: FieldNode[] = [];
  let aliases = 0;
  const queue = [...set.selections];
  const seen = new Set(visited);
  while (queue.length > 0) {
    const s = queue.shift()!;
    if (s.kind === Kind.FIELD) {
      fields.push(s);
      if (s.alias) aliases++;
    } else if (s.kind === Kind.INLINE_FRAGMENT) {
      queue.push(...s.selectionSet.selections);
    } else if (!seen.has(s.name.value)) {
      seen.add(s.name.value);
      const def = fragments.get(s.name.value);
      if (def) queue.push(...def.selectionSet.selections);
    }
  }
  return [fields, aliases];
}

function scan(doc: DocumentNode): { rootFields: number; maxAliases: number } {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of doc.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  let rootFields = 0;
  let maxAliases = 0;
  let selections = 0;
  for (const d of doc.definitions) {
    if (d.kind !== Kind.OPERATION_DEFINITION) continue;
    const stack: [SelectionSetNode, number, ReadonlySet<string>][] = [[d.selectionSet, 1, new Set()]];
    while (stack.length > 0) {
      const [set, depth, visited] = stack.pop()!;
      if (depth > MAX_DEPTH) throw new Refused(`Query exceeds maximum depth of ${MAX_DEPTH}`);
      const [fields, aliases] = collect(set, fragments, visited);
      for (const f of fields) {
        if (depth === 1) rootFields++;
        if (f.selectionSet) stack.push([f.selectionSet, depth + 1, visited]);
        selections++;
        if (selections > MAX_SELECTIONS) {
          throw new Refused(`Query exceeds maximum total selections of ${MAX_SELECTIONS}`);
        }
      }
      maxAliases = Math.max(maxAliases, aliases);
    }
  }
  return { rootFields, maxAliases };
}

/** The error message refusing `doc`, or undefined when it may run. */
export function queryRefusal(doc: DocumentNode, limits: GraphqlLimits): string | undefined {
  let info;
  try {
    info = scan(doc);
  } catch (err) {
    if (err instanceof Refused) return err.message;
    throw err;
  }
  const over = (what: string, limit: number, value: number, env: string): string =>
    `GraphQL queries should have at most ${limit} ${what}, got ${value} ${what}. To increase the limit, ` +
    `set the ${env} environment variable.`;
  if (info.rootFields > limits.maxRootFields) {
    return over(
      'root fields',
      limits.maxRootFields,
      info.rootFields,
      'MLFLOW_SERVER_GRAPHQL_MAX_ROOT_FIELDS',
    );
  }
  if (info.maxAliases > limits.maxAliases) {
    return over('aliases', limits.maxAliases, info.maxAliases, 'MLFLOW_SERVER_GRAPHQL_MAX_ALIASES');
  }
  return undefined;
}
