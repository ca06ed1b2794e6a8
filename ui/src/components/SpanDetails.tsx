// One span: its timing and metrics, scores, input/output/expected, metadata, and review.
import { useEffect, useState, type ReactNode } from "react";
import type { DataClient } from "../api/data";
import type { Row, RowObjectType } from "../api/types";
import { formatCost, formatDuration, formatNumber, formatTime, spanDuration, totalTokens } from "../lib/format";
import { outputText } from "../lib/compare";
import { prettyJson } from "../lib/preview";
import { CopyButton } from "./CopyButton";
import { useOrg } from "../state/scope";
import { JsonView } from "./JsonView";
import { Comments, ReviewPanel } from "./ReviewPanel";
import { ScoreCell } from "./Score";
import { TextDiffView } from "./TextDiffView";
import { ValueView } from "./ValueView";

function Section({ title, children, actions, defaultOpen = true }: { title: string; children: ReactNode; actions?: ReactNode; defaultOpen?: boolean }) {
  const [open, setOpen] = useState(defaultOpen);
  return (
    <div className="section">
      <div className="section-title">
        <button className="btn ghost small" style={{ padding: 0, height: 18 }} onClick={() => setOpen(!open)} aria-expanded={open}>
          {open ? "▾" : "▸"} {title}
        </button>
        {actions && <span className="actions">{actions}</span>}
      </div>
      {open && children}
    </div>
  );
}

export function Metric({ label, value }: { label: string; value: ReactNode }) {
  return (
    <div className="metric"><div className="label">{label}</div><div className="value">{value}</div></div>
  );
}

function copy(v: unknown): ReactNode {
  return v === undefined || v === null ? null : <CopyButton text={prettyJson(v)} className="btn ghost small" />;
}

function present(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === "object" && !Array.isArray(v) && Object.keys(v as object).length === 0) return false;
  return true;
}

export function SpanDetails({ row, client, objectType, objectId, comments: initialComments, knownScores, onReviewed, traceStart }: {
  row: Row; client: DataClient; objectType: RowObjectType; objectId: string; comments: Row[]; knownScores?: string[]; traceStart?: number | null;
  onReviewed?: (r: Row) => void;
}) {
  const canReview = useOrg().org.role !== "viewer";
  const [comments, setComments] = useState<Row[]>(initialComments);
  useEffect(() => setComments(initialComments), [initialComments]);

  const m = row.metrics ?? {};
  const dur = spanDuration(m);
  const tokens = totalTokens(m);
  const cost = typeof m.estimated_cost === "number" ? m.estimated_cost : typeof m.cost === "number" ? m.cost : null;
  const name = row.span_attributes?.name ?? "span";
  const type = row.span_attributes?.type;
  const otherMetrics = Object.fromEntries(Object.entries(m).filter(([k]) => k !== "start" && k !== "end"));

  return (
    <div data-testid="span-details">
      <div style={{ padding: "14px 16px 4px" }}>
        <div className="row-flex" style={{ gap: 8 }}>
          {type && <span className={`type-pill type-${type}`}>{type}</span>}
          <h2 style={{ margin: 0 }} className="ellipsis">{String(name)}</h2>
        </div>
        <div className="faint mono" style={{ fontSize: 11.5, marginTop: 4 }}>
          span {row.span_id ?? row.id} · {formatTime(typeof m.start === "number" ? new Date(m.start * 1000).toISOString() : row.created)}
        </div>
      </div>
      <div className="metrics">
        <Metric label="Duration" value={formatDuration(dur)} />
        {typeof m.start === "number" && typeof traceStart === "number" && m.start - traceStart > 0.0005 && (
          <Metric label="Starts at" value={`+${formatDuration(m.start - traceStart)}`} />
        )}
        {tokens !== null && <Metric label="Tokens" value={formatNumber(tokens)} />}
        {typeof m.prompt_tokens === "number" && <Metric label="Prompt" value={formatNumber(m.prompt_tokens)} />}
        {typeof m.completion_tokens === "number" && <Metric label="Completion" value={formatNumber(m.completion_tokens)} />}
        {cost !== null && <Metric label="Cost" value={formatCost(cost)} />}
      </div>
      {present(row.scores) && (
        <Section title="Scores">
          <table className="simple">
            <tbody>
              {Object.entries(row.scores ?? {}).map(([k, v]) => (
                <tr key={k}><td style={{ width: "40%" }}>{k}</td><td><ScoreCell value={v} /></td></tr>
              ))}
            </tbody>
          </table>
        </Section>
      )}
      {present(row.error) && (
        <Section title="Error">
          <div className="notice error"><div className="text-value mono">{typeof row.error === "string" ? row.error : JSON.stringify(row.error, null, 2)}</div></div>
        </Section>
      )}
      <Section title="Input" actions={copy(row.input)}><ValueView value={row.input} /></Section>
      <Section title="Output" actions={copy(row.output)}><ValueView value={row.output} /></Section>
      {present(row.expected) && <Section title="Expected" actions={copy(row.expected)}><ValueView value={row.expected} /></Section>}
      {present(row.expected) && present(row.output) && (
        <Section title="Expected → output" defaultOpen={false}>
          <TextDiffView before={outputText(row.expected)} after={outputText(row.output)} />
        </Section>
      )}
      {present(row.metadata) && <Section title="Metadata" actions={copy(row.metadata)}><JsonView value={row.metadata} /></Section>}
      {present(row.tags) && (
        <Section title="Tags">
          <div className="row-flex" style={{ flexWrap: "wrap" }}>{(row.tags ?? []).map((t) => <span key={t} className="badge">{t}</span>)}</div>
        </Section>
      )}
      {present(otherMetrics) && <Section title="Metrics" defaultOpen={false}><JsonView value={otherMetrics} /></Section>}
      {present(row.span_attributes) && <Section title="Span attributes" defaultOpen={false}><JsonView value={row.span_attributes} /></Section>}
      <Section title={`Review${comments.length ? ` · ${comments.length} comment${comments.length > 1 ? "s" : ""}` : ""}`}>
        <Comments comments={comments} />
        {!canReview ? <div className="faint">Viewers can read reviews but not add them.</div> : <ReviewPanel
          client={client} objectType={objectType} objectId={objectId} row={row} knownScores={knownScores}
          onSaved={(merged, c) => {
            if (c) setComments((cs) => [...cs, c]);
            onReviewed?.(merged);
          }}
        />}
      </Section>
    </div>
  );
}
