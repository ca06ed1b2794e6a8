// Trace-level numbers for a page of root rows. Scores usually live on child "score" spans
// and tokens on "llm" spans, so a root row alone shows neither. One /v1/aggregate call per
// page fills in what the root lacks: the per-trace mean of each score, the summed tokens and
// cost, and the span count. Values the server already put on the root are kept.
import type { DataClient } from "./data";
import { quote } from "../lib/filterText";
import type { Row, RowObjectType } from "./types";

const MAX_SCORES = 30;

/** A page is worth enriching when it holds trace roots. */
export function needsEnrichment(rows: Row[]): boolean {
  return rows.some((r) => !!r.root_span_id);
}

export function mergeTraceStats(rows: Row[], stats: Record<string, unknown>[], scoreNames: string[]): Row[] {
  const byRoot = new Map<string, Record<string, unknown>>();
  for (const s of stats) byRoot.set(String(s.root_span_id), s);
  return rows.map((r) => {
    const s = r.root_span_id ? byRoot.get(r.root_span_id) : undefined;
    if (!s) return r;
    const scores: Record<string, number | null> = { ...(r.scores ?? {}) };
    scoreNames.slice(0, MAX_SCORES).forEach((name, i) => {
      const v = s[`s${i}`];
      if (typeof v === "number" && scores[name] === undefined) scores[name] = v;
    });
    const metrics: Record<string, number | null> = { ...(r.metrics ?? {}) };
    if (typeof s.tok === "number" && s.tok > 0 && typeof metrics.tokens !== "number") metrics.tokens = s.tok;
    if (typeof s.cost === "number" && s.cost > 0 && typeof metrics.estimated_cost !== "number") metrics.estimated_cost = s.cost;
    return { ...r, scores, metrics, span_count: typeof r.span_count === "number" ? r.span_count : typeof s.n === "number" ? s.n : undefined };
  });
}

export async function enrichRoots(client: DataClient, objectType: RowObjectType, objectId: string, rows: Row[], scoreNames: string[]): Promise<Row[]> {
  const roots = Array.from(new Set(rows.map((r) => r.root_span_id).filter((x): x is string => !!x)));
  if (roots.length === 0) return rows;
  const names = scoreNames.slice(0, MAX_SCORES);
  const stats = await client.aggregate({
    object_type: objectType,
    object_id: objectId,
    filter: `root_span_id IN (${roots.map(quote).join(", ")})`,
    group_by: ["root_span_id"],
    measures: [
      ...names.map((n, i) => ({ fn: "mean" as const, field: `scores.${n}`, alias: `s${i}` })),
      { fn: "sum", field: "metrics.tokens", alias: "tok" },
      { fn: "sum", field: "metrics.estimated_cost", alias: "cost" },
      { fn: "count", alias: "n" },
    ],
  });
  return mergeTraceStats(rows, stats, names);
}
