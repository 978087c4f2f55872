/**
 * searchLoggedModels' filter and order_by, as the pinned SQL store reads them
 * (mlflow/utils/search_logged_model_utils.py `parse_filter_string`, and
 * SqlAlchemyStore._apply_filter_string_datasets_search_logged_models / _apply_order_by_...).
 * This grammar is not SearchUtils': comparisons joined by AND only, entities `attributes`,
 * `metrics`, `params`, `tags` (lower case), a bare name is an attribute (with aliases), numeric
 * values go through Python's float(), lists through ast.literal_eval.
 *
 * The store parses inside its managed session, where any non-MLflow exception becomes
 * INTERNAL_ERROR with the exception's text: those failures are INTERNAL_ERROR here too.
 */
import { MlflowError } from '../../errors/mlflow-error.js';
import { literalEval, PyLiteralSyntaxError, PyLiteralValueError } from '../../py/literal-eval.js';
import { repr, reprStr, type PyValue } from '../../py/repr.js';
import type {
  LoggedModelColumn,
  LoggedModelPredicate,
  LoggedModelSortKey,
  MetricDatasetFilter,
} from '../../stores/search/types.js';
import { isKeyword, parseStatements, type Node } from './filter-grouping.js';
import { joinInComparisons } from './filter-parser.js';

const invalid = (msg: string): MlflowError => MlflowError.invalidParameter(msg);
/** A Python exception raised inside the store's session: INTERNAL_ERROR with its text. */
const crash = (msg: string): MlflowError => new MlflowError(msg, 'INTERNAL_ERROR');

type EntityType = 'attributes' | 'metrics' | 'params' | 'tags';
const ENTITY_TYPES: readonly EntityType[] = ['attributes', 'metrics', 'params', 'tags'];

/** SqlLoggedModel.ALIASES */
const ALIASES: Readonly<Record<string, string>> = {
  creation_time: 'creation_timestamp_ms',
  creation_timestamp: 'creation_timestamp_ms',
  last_updated_timestamp: 'last_updated_timestamp_ms',
};

/** The columns of SqlLoggedModel (getattr finds them; anything else is an AttributeError). */
const COLUMNS: ReadonlySet<string> = new Set<LoggedModelColumn>([
  'model_id',
  'experiment_id',
  'name',
  'artifact_location',
  'creation_timestamp_ms',
  'last_updated_timestamp_ms',
  'status',
  'lifecycle_stage',
  'model_type',
  'source_run_id',
  'status_message',
]);
const NUMERIC_COLUMNS: ReadonlySet<string> = new Set(['creation_timestamp_ms', 'last_updated_timestamp_ms']);
/** Integer columns: comparing them with a string still works in SQL (the literal is coerced). */
const STATUS_VALUES = ['UNSPECIFIED', 'PENDING', 'READY', 'FAILED'];

const NUMERIC_OPS = ['<', '<=', '>', '>=', '=', '!='] as const;
const STRING_OPS = ['=', '!=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'] as const;

interface Entity {
  type: EntityType;
  key: string;
}

export interface ModelComparison {
  entity: Entity;
  op: string;
  value: number | string | PyValue;
}

const stripChars = (s: string, ch: string): string => {
  let a = 0;
  let b = s.length;
  while (a < b && s[a] === ch) a++;
  while (b > a && s[b - 1] === ch) b--;
  return s.slice(a, b);
};

/** Entity.from_str */
function entityOf(s: string): Entity {
  const m = /^([a-z]+)\.([\s\S]+)$/.exec(s);
  if (m) {
    const type = m[1]!;
    if (!(ENTITY_TYPES as readonly string[]).includes(type)) {
      throw invalid(`Invalid entity type: ${reprStr(type)}. Expected one of ['attributes', 'metrics', 'params', 'tags'].`);
    }
    return { type: type as EntityType, key: stripChars(m[2]!, '`') };
  }
  return { type: 'attributes', key: stripChars(ALIASES[s] ?? s, '`') };
}

const isNumericEntity = (e: Entity): boolean =>
  e.type === 'metrics' || (e.type === 'attributes' && NUMERIC_COLUMNS.has(ALIASES[e.key] ?? e.key));

/** Python's float() of a string (what a numeric entity's value goes through). */
export function pyFloat(text: string): number {
  const s = text.trim();
  const num = /^[+-]?(?:\d(?:_?\d)*(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?$/;
  if (num.test(s)) return Number(s.replace(/_/g, ''));
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(s);
  if (special) {
    if (special[2]!.toLowerCase() === 'nan') return NaN;
    return special[1] === '-' ? -Infinity : Infinity;
  }
  throw crash(`could not convert string to float: ${reprStr(text)}`);
}

/** The `(...)` value of a string entity: ast.literal_eval, a lone string made a 1-tuple. */
function listValue(text: string): PyValue {
  let v: PyValue;
  try {
    v = literalEval(text);
  } catch (e) {
    if (e instanceof PyLiteralSyntaxError) throw crash('invalid syntax (<unknown>, line 1)');
    if (e instanceof PyLiteralValueError) throw crash(`malformed node or string in ${text}`);
    throw e;
  }
  return typeof v === 'string' ? { tuple: [v] } : v;
}

/** parse_filter_string */
export function parseLoggedModelFilter(filter: string | undefined): ModelComparison[] {
  if (!filter) return [];
  const statements = parseStatements(filter);
  if (statements.length !== 1) {
    throw invalid(`Invalid filter string: ${reprStr(filter)}. Expected a single SQL expression.`);
  }
  const out: ModelComparison[] = [];
  for (const stmt of joinInComparisons(statements[0]!)) {
    if (stmt.type === 'comparison') {
      const parts = stmt.parts.map((p: Node) => p.text);
      if (parts.length !== 3) {
        // str() of a joined `x IS NULL` concatenates its two tokens; a parsed comparison is its text.
        const text = stmt.parts.length === 2 ? parts.join('') : stmt.text;
        throw invalid(`Invalid comparison: ${text}. Expected a comparison with 3 tokens.`);
      }
      const [identifier, rawOp, rawValue] = parts as [string, string, string];
      const op = rawOp.toUpperCase();
      const entity = entityOf(identifier);
      const numeric = isNumericEntity(entity);
      const ops: readonly string[] = numeric ? NUMERIC_OPS : STRING_OPS;
      if (!ops.includes(op)) {
        throw invalid(
          `Invalid comparison operator for ${entity.type}.${entity.key}: ${reprStr(op)}. ` +
            `Expected one of ${repr({ tuple: [...ops] })}.`,
        );
      }
      let value: ModelComparison['value'];
      if (numeric) value = pyFloat(rawValue);
      else if (rawValue.startsWith('(') && rawValue.endsWith(')')) value = listValue(rawValue);
      else value = stripChars(rawValue, "'");
      out.push({ entity, op, value });
    } else if (stmt.text.trim().toUpperCase() === 'AND' || isKeyword(stmt, 'AND')) {
      // a separator
    } else {
      throw invalid(
        `Invalid filter string: ${reprStr(filter)}. Expected a list of comparisons separated by 'AND' ` +
          `(e.g. 'metrics.loss > 0.1 AND params.lr = 0.01').`,
      );
    }
  }
  return out;
}

/** A comparison's value as SQL binds it (a tuple or list becomes the IN list). */
function sqlValue(v: ModelComparison['value']): string | number | readonly (string | number)[] {
  if (typeof v === 'string' || typeof v === 'number') return v;
  if (v !== null && typeof v === 'object') {
    const items = Array.isArray(v) ? v : v.tuple;
    if (items.every((x) => typeof x === 'string' || typeof x === 'number')) return items as (string | number)[];
  }
  // SQLAlchemy cannot bind it (None, booleans, nested tuples): its error, from inside the session.
  throw crash(`Unsupported value in filter: ${repr(v as PyValue)}`);
}

export interface DatasetArg {
  dataset_name: string;
  dataset_digest: string | null;
}

/** The comparisons as store predicates (the part of the store's filter building that validates). */
export function loggedModelPredicates(
  comparisons: readonly ModelComparison[],
): { predicates: LoggedModelPredicate[]; hasMetricFilter: boolean } {
  const predicates: LoggedModelPredicate[] = [];
  let hasMetricFilter = false;
  for (const c of comparisons) {
    const op = c.op as LoggedModelPredicate['op'];
    switch (c.entity.type) {
      case 'attributes': {
        let value = c.value;
        if (c.entity.key === 'status') {
          if (!['=', '!=', 'IN', 'NOT IN'].includes(c.op)) {
            throw invalid(`Invalid comparison operator for status: ${c.op}`);
          }
          const list = c.op === 'IN' || c.op === 'NOT IN';
          const values: PyValue[] = list ? tupleItems(value as PyValue) : [value as PyValue];
          const ints = values.map((s) => (typeof s === 'string' ? STATUS_VALUES.indexOf(s) : -1));
          if (ints.some((i) => i < 0)) {
            throw invalid(`Unknown model status in filter: ${repr(value as PyValue)}`);
          }
          value = list ? { tuple: ints } : ints[0]!;
        }
        if (!COLUMNS.has(c.entity.key)) {
          throw crash(`type object 'SqlLoggedModel' has no attribute ${reprStr(c.entity.key)}`);
        }
        predicates.push({ on: 'column', column: c.entity.key as LoggedModelColumn, op, value: sqlValue(value) });
        break;
      }
      case 'metrics':
        hasMetricFilter = true;
        predicates.push({ on: 'metric', key: c.entity.key, op, value: c.value as number });
        break;
      case 'params':
      case 'tags':
        predicates.push({ on: c.entity.type === 'params' ? 'param' : 'tag', key: c.entity.key, op, value: sqlValue(c.value) });
        break;
    }
  }
  return { predicates, hasMetricFilter };
}

function tupleItems(v: PyValue): PyValue[] {
  if (v !== null && typeof v === 'object') return Array.isArray(v) ? v : v.tuple;
  // Iterating a str or number in Python: each character of a string; a number is not iterable.
  if (typeof v === 'string') return [...v];
  throw crash(`'${typeof v === 'number' ? (Number.isInteger(v) ? 'int' : 'float') : 'NoneType'}' object is not iterable`);
}

export interface OrderByArg {
  field_name: string;
  ascending: boolean;
  dataset_name: string | null;
  dataset_digest: string | null;
}

/** _apply_order_by_search_logged_models, up to the SQL: each order_by entry as a sort key. */
export function loggedModelSortKeys(orderBy: readonly OrderByArg[]): LoggedModelSortKey[] {
  const keys: LoggedModelSortKey[] = [];
  for (const ob of orderBy) {
    const field = ob.field_name;
    if (!field.includes('.')) {
      const name = ALIASES[field] ?? field;
      if (!COLUMNS.has(name)) {
        if (NON_COLUMN_ATTRIBUTES.has(name)) {
          // getattr succeeds but the value is not a column: SQLAlchemy fails inside the session.
          throw crash(`Invalid order by attribute: ${name}`);
        }
        throw new MlflowError(`Invalid order by field name: ${field}`, 'INVALID_PARAMETER_VALUE', {
          sqlstate: 'KAM04',
          error_class: 'ATTRIBUTE_NOT_FOUND',
        });
      }
      keys.push({ on: 'column', column: name as LoggedModelColumn, ascending: ob.ascending });
      continue;
    }
    const dot = field.indexOf('.');
    if (field.slice(0, dot) !== 'metrics') {
      throw invalid(`Invalid order by field name: ${field}. Only metrics are supported.`);
    }
    const datasets: MetricDatasetFilter = {};
    if (ob.dataset_name) datasets.name = ob.dataset_name;
    if (ob.dataset_digest) datasets.digest = ob.dataset_digest;
    keys.push({ on: 'metric', key: field.slice(dot + 1), ascending: ob.ascending, dataset: datasets });
  }
  return keys;
}

/** SqlLoggedModel attributes that are not columns (relationships, methods, class data). */
const NON_COLUMN_ATTRIBUTES: ReadonlySet<string> = new Set([
  'tags',
  'params',
  'metrics',
  'experiment',
  'to_mlflow_entity',
  'is_numeric',
  'ALIASES',
  'metadata',
  'registry',
]);
