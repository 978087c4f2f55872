/**
 * MySQL has no `INSERT ... ON CONFLICT`: the shared store code writes its upserts that way, and this
 * plugin rewrites them to MySQL's forms before compilation.
 *  - `DO NOTHING` becomes `INSERT IGNORE` (its affected-row count is the rows inserted, which the
 *    shared code reads as it reads PostgreSQL's);
 *  - `DO UPDATE SET c = excluded.c` becomes `ON DUPLICATE KEY UPDATE c = VALUES(c)`;
 *  - `DO UPDATE ... WHERE cond` (latest_metrics: only a newer row replaces the stored one) becomes
 *    `c = IF(cond, VALUES(c), c)` per column. MySQL assigns the columns left to right and a later
 *    condition would see the earlier columns' new values, so the condition is evaluated once, in
 *    the first assignment, into a session variable that the others read.
 */
import {
  ColumnUpdateNode,
  InsertQueryNode,
  OnDuplicateKeyNode,
  OperationNodeTransformer,
  OrActionNode,
  RawNode,
  ReferenceNode,
  type KyselyPlugin,
  type OperationNode,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from 'kysely';

const CONDITION_VAR = '@mlflow_ts_upsert';

function columnName(node: ColumnUpdateNode): string {
  const c = node.column as unknown as { column: { name: string } };
  return c.column.name;
}

/** `excluded.<col>` (a reference, or text in raw SQL) as MySQL's `VALUES(<col>)`. */
function fromExcluded(node: OperationNode): OperationNode {
  if (ReferenceNode.is(node)) {
    const table = (node.table as unknown as { table?: { identifier?: { name?: string } } } | undefined)?.table
      ?.identifier?.name;
    const col = (node.column as unknown as { column?: { name?: string } }).column?.name;
    if (table === 'excluded' && col) return RawNode.createWithSql(`VALUES(\`${col}\`)`);
    return node;
  }
  if (RawNode.is(node)) {
    return RawNode.create(
      node.sqlFragments.map((f) => f.replace(/\bexcluded\.(\w+)/g, 'VALUES(`$1`)')),
      node.parameters.map(fromExcluded),
    );
  }
  // Other nodes: walk their children (a binary operation, parentheses, a where clause).
  const out: Record<string, unknown> = { ...node };
  let changed = false;
  for (const [k, v] of Object.entries(node)) {
    if (v && typeof v === 'object' && 'kind' in (v as object)) {
      const t = fromExcluded(v as OperationNode);
      if (t !== v) {
        out[k] = t;
        changed = true;
      }
    }
  }
  return changed ? (Object.freeze(out) as unknown as OperationNode) : node;
}

class UpsertTransformer extends OperationNodeTransformer {
  protected override transformInsertQuery(node: InsertQueryNode): InsertQueryNode {
    const base = super.transformInsertQuery(node);
    const oc = base.onConflict;
    if (!oc) return base;
    if (oc.doNothing || !oc.updates || oc.updates.length === 0) {
      return InsertQueryNode.cloneWith(
        { ...base, onConflict: undefined },
        { orAction: OrActionNode.create('ignore') },
      );
    }
    const cond = oc.updateWhere ? fromExcluded(oc.updateWhere.where) : undefined;
    const updates = oc.updates.map((u, i) => {
      const value = fromExcluded(u.value);
      if (!cond) return ColumnUpdateNode.create(u.column, value);
      const col = `\`${columnName(u)}\``;
      const guarded =
        i === 0
          ? RawNode.create([`IF(${CONDITION_VAR} := (`, '), ', `, ${col})`], [cond, value])
          : RawNode.create([`IF(${CONDITION_VAR}, `, `, ${col})`], [value]);
      return ColumnUpdateNode.create(u.column, guarded);
    });
    return InsertQueryNode.cloneWith(
      { ...base, onConflict: undefined },
      { onDuplicateKey: OnDuplicateKeyNode.create(updates) },
    );
  }
}

export class MysqlUpsertPlugin implements KyselyPlugin {
  readonly #transformer = new UpsertTransformer();

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return InsertQueryNode.is(args.node) ? this.#transformer.transformNode(args.node) : args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}
