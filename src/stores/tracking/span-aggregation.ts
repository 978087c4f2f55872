/**
 * The tree-aware sum of a trace's token usage or cost over its spans (tracing.utils
 * _aggregate_from_nodes): a span's value counts unless an ancestor's already did (rollup
 * integrations put cumulative usage on a parent span). Spans whose parent is not among the nodes
 * start their own tree.
 */
import type { PyDict } from '../../py/json-exact.js';
import { PyFloat } from '../../py/values.js';
import type { SpanRow } from './span-rows.js';

export interface AggregationNode {
  spanId: string;
  parentId: string | null;
  /** The span's usage (or cost) dict, null when it has none. */
  data: PyDict | null;
}

export const USAGE_KEYS = ['input_tokens', 'output_tokens', 'total_tokens'];
export const USAGE_OPTIONAL_KEYS = [
  'cache_read_input_tokens',
  'cache_creation_input_tokens',
  'cache_creation_input_tokens_above_1hr',
];
export const COST_KEYS = ['input_cost', 'output_cost', 'total_cost'];

/** A value Python would add to a number (bool is an int there); else the sum would fail. */
function addend(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof PyFloat) return v.value;
  throw new TypeError('unsupported operand type for +');
}

/** The totals by key, or undefined when no node has data. */
export function aggregateNodes(
  nodes: readonly AggregationNode[],
  keys: readonly string[],
  optionalKeys: readonly string[] = [],
): Map<string, number> | undefined {
  const totals = new Map<string, number>(keys.map((k) => [k, 0]));
  const ids = new Set(nodes.map((n) => n.spanId));
  const children = new Map<string, AggregationNode[]>();
  const stack: [AggregationNode, boolean][] = [];
  for (const node of nodes) {
    if (node.parentId && ids.has(node.parentId)) {
      let list = children.get(node.parentId);
      if (!list) children.set(node.parentId, (list = []));
      list.push(node);
    } else stack.push([node, false]);
  }
  let hasData = false;
  while (stack.length > 0) {
    const [node, ancestorHasData] = stack.pop()!;
    const data = node.data;
    if (data !== null && !ancestorHasData) {
      for (const k of keys) totals.set(k, totals.get(k)! + (data.has(k) ? addend(data.get(k)) : 0));
      for (const k of optionalKeys)
        if (data.has(k)) totals.set(k, (totals.get(k) ?? 0) + addend(data.get(k)));
      hasData = true;
    }
    for (const child of children.get(node.spanId) ?? [])
      stack.push([child, ancestorHasData || data !== null]);
  }
  return hasData ? totals : undefined;
}

/** The nodes of spans' token usage dicts. */
export const usageNodes = (spans: readonly SpanRow[]): AggregationNode[] =>
  spans.map((s) => ({ spanId: s.spanId, parentId: s.parentSpanId, data: s.usage }));
/** The nodes of spans' cost dicts. */
export const costNodes = (spans: readonly SpanRow[]): AggregationNode[] =>
  spans.map((s) => ({ spanId: s.spanId, parentId: s.parentSpanId, data: s.cost }));
