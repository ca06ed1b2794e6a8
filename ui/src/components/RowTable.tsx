// Column sets for tables of rows (experiment cases, logs, dataset records).
import type { Row } from "../api/types";
import { formatDuration, formatNumber, relativeTime, spanDuration, totalTokens } from "../lib/format";
import { previewValue } from "../lib/preview";
import type { Column } from "./DataTable";
import { ScoreCell } from "./Score";

export interface RowColumnOptions {
  scores: string[];
  output?: boolean;
  expected?: boolean;
  name?: boolean;
  metadata?: boolean;
  timing?: boolean;
  created?: boolean;
  tags?: boolean;
  spans?: boolean;
}

function textCell(value: unknown) {
  const s = previewValue(value, 400);
  return s ? s : <span className="faint">–</span>;
}

export function rowColumns(o: RowColumnOptions): Column<Row>[] {
  const cols: Column<Row>[] = [];
  if (o.created) {
    cols.push({ key: "created", header: "Time", width: 110, sortField: "created", render: (r) => <span className="muted">{relativeTime(r.created)}</span>, title: (r) => r.created });
  }
  if (o.name) {
    cols.push({ key: "name", header: "Name", width: 140, sortField: "span_attributes.name", render: (r) => String(r.span_attributes?.name ?? "–") });
  }
  cols.push({ key: "input", header: "Input", width: 200, grow: 2, sortField: "input", render: (r) => textCell(r.input), title: (r) => previewValue(r.input, 2000) });
  if (o.output !== false) {
    cols.push({ key: "output", header: "Output", width: 200, grow: 2, sortField: "output", render: (r) => (r.error ? <span className="bad">{previewValue(r.error, 200)}</span> : textCell(r.output)), title: (r) => previewValue(r.output, 2000) });
  }
  if (o.expected) {
    cols.push({ key: "expected", header: "Expected", width: 150, grow: 1, sortField: "expected", render: (r) => textCell(r.expected), title: (r) => previewValue(r.expected, 2000) });
  }
  for (const s of o.scores) {
    cols.push({ key: `score:${s}`, header: s, width: 112, sortField: `scores.${s}`, render: (r) => <ScoreCell value={r.scores?.[s]} /> });
  }
  if (o.metadata) {
    cols.push({ key: "metadata", header: "Metadata", width: 130, grow: 1, render: (r) => <span className="mono muted" style={{ fontSize: 12 }}>{previewValue(r.metadata, 200)}</span>, title: (r) => previewValue(r.metadata, 2000) });
  }
  if (o.tags) {
    cols.push({ key: "tags", header: "Tags", width: 120, render: (r) => (r.tags ?? []).map((t) => <span key={t} className="badge" style={{ marginRight: 4 }}>{t}</span>) });
  }
  if (o.timing !== false) {
    cols.push({ key: "duration", header: "Duration", width: 76, align: "right", sortField: "metrics.duration", render: (r) => <span className="muted">{formatDuration(spanDuration(r.metrics))}</span> });
    cols.push({ key: "tokens", header: "Tokens", width: 68, align: "right", sortField: "metrics.tokens", render: (r) => <span className="muted">{formatNumber(totalTokens(r.metrics))}</span> });
  }
  if (o.spans) {
    cols.push({ key: "spans", header: "Spans", width: 64, align: "right", render: (r) => <span className="muted">{r.span_count ?? "–"}</span> });
  }
  return cols;
}

/** Score names present in a set of rows, in first-seen order. */
export function rowScoreNames(rows: Row[], known: string[] = []): string[] {
  const seen = new Set(known);
  const out = [...known];
  for (let i = 0; i < Math.min(rows.length, 500); i++) {
    for (const k of Object.keys(rows[i].scores ?? {})) {
      if (!seen.has(k)) {
        seen.add(k);
        out.push(k);
      }
    }
  }
  return out;
}

/** "field:dir" in the URL ↔ a sort spec. */
export function parseSort(s: string | null): { field: string; dir: "asc" | "desc" } | null {
  if (!s) return null;
  const i = s.lastIndexOf(":");
  const field = i > 0 ? s.slice(0, i) : s;
  const dir = i > 0 && s.slice(i + 1) === "asc" ? "asc" : "desc";
  return { field, dir };
}

export function nextSort(cur: { field: string; dir: "asc" | "desc" } | null, field: string): string {
  if (!cur || cur.field !== field) return `${field}:desc`;
  return cur.dir === "desc" ? `${field}:asc` : "";
}
