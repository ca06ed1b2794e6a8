// A trace's spans as a tree, flattened for a virtualized list. Traces arrive in pages
// ordered by start time, so a child can arrive before its parent: such spans hang at the
// top level until the parent is loaded. Everything is iterative so a 10,000-deep chain
// cannot overflow the stack.
import type { Row } from "../api/types";

export interface SpanNode {
  row: Row;
  key: string; // span_id, or row id
  children: SpanNode[];
  start: number | null;
  end: number | null;
}

export interface TraceTree {
  roots: SpanNode[];
  byKey: Map<string, SpanNode>;
  /** Comment rows (origin.id → comments), when the server returns them with the trace. */
  comments: Map<string, Row[]>;
  start: number | null;
  end: number | null;
  size: number;
}

export interface VisibleSpan {
  node: SpanNode;
  depth: number;
  hasChildren: boolean;
  collapsed: boolean;
}

function isComment(r: Row): boolean {
  return !!r.comment && !!r.origin?.id;
}

export function buildTraceTree(rows: Row[]): TraceTree {
  const byKey = new Map<string, SpanNode>();
  const comments = new Map<string, Row[]>();
  const order: SpanNode[] = [];
  for (const row of rows) {
    if (isComment(row)) {
      const target = String(row.origin!.id);
      const list = comments.get(target) ?? [];
      list.push(row);
      comments.set(target, list);
      continue;
    }
    const key = row.span_id ?? row.id;
    if (byKey.has(key)) continue; // a page boundary may repeat a span
    const m = row.metrics ?? {};
    const node: SpanNode = {
      row, key, children: [],
      start: typeof m.start === "number" ? m.start : null,
      end: typeof m.end === "number" ? m.end : null,
    };
    byKey.set(key, node);
    order.push(node);
  }
  const roots: SpanNode[] = [];
  let start: number | null = null;
  let end: number | null = null;
  for (const node of order) {
    const parentKey = node.row.span_parents?.[0];
    const parent = parentKey && parentKey !== node.key ? byKey.get(parentKey) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
    if (node.start !== null) start = start === null ? node.start : Math.min(start, node.start);
    const e = node.end ?? node.start;
    if (e !== null) end = end === null ? e : Math.max(end, e);
  }
  // The real root (no parents) first, then orphans awaiting their parents.
  roots.sort((a, b) => Number(!!a.row.span_parents?.length) - Number(!!b.row.span_parents?.length));
  return { roots, byKey, comments, start, end, size: order.length };
}

/** Depth-first list of the spans that are visible given the collapsed set. */
export function flattenTree(tree: TraceTree, collapsed: ReadonlySet<string>): VisibleSpan[] {
  const out: VisibleSpan[] = [];
  const stack: { node: SpanNode; depth: number }[] = [];
  for (let i = tree.roots.length - 1; i >= 0; i--) stack.push({ node: tree.roots[i], depth: 0 });
  while (stack.length) {
    const { node, depth } = stack.pop()!;
    const isCollapsed = collapsed.has(node.key);
    out.push({ node, depth, hasChildren: node.children.length > 0, collapsed: isCollapsed });
    if (!isCollapsed) {
      for (let i = node.children.length - 1; i >= 0; i--) stack.push({ node: node.children[i], depth: depth + 1 });
    }
  }
  return out;
}

/** Keys of spans whose subtree is large, collapsed by default to keep huge traces readable. */
export function defaultCollapsed(tree: TraceTree, maxChildren = 50): Set<string> {
  const out = new Set<string>();
  for (const node of tree.byKey.values()) {
    if (node.children.length > maxChildren && node !== tree.roots[0]) out.add(node.key);
  }
  return out;
}

/** The keys of a span's ancestors, root first (to expand the path to a selected span). */
export function ancestorKeys(tree: TraceTree, key: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  let cur = tree.byKey.get(key);
  while (cur) {
    const p = cur.row.span_parents?.[0];
    if (!p || seen.has(p)) break;
    seen.add(p);
    out.unshift(p);
    cur = tree.byKey.get(p);
  }
  return out;
}

/** Sum of a numeric metric over all spans (tokens, cost). */
export function sumMetric(tree: TraceTree, names: string[]): number | null {
  let total = 0;
  let found = false;
  for (const n of tree.byKey.values()) {
    for (const name of names) {
      const v = n.row.metrics?.[name];
      if (typeof v === "number") {
        total += v;
        found = true;
        break;
      }
    }
  }
  return found ? total : null;
}

/** Scores of the whole trace: each name averaged over the spans that carry it (as the summary does). */
export function traceScores(tree: TraceTree): Record<string, number> {
  const sums = new Map<string, [number, number]>();
  for (const n of tree.byKey.values()) {
    for (const [k, v] of Object.entries(n.row.scores ?? {})) {
      if (typeof v !== "number") continue;
      const [s, c] = sums.get(k) ?? [0, 0];
      sums.set(k, [s + v, c + 1]);
    }
  }
  return Object.fromEntries([...sums.entries()].map(([k, [s, c]]) => [k, s / c]));
}
