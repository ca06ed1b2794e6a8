// One experiment: every case in a virtualized table with the filter language, full-text
// search and sorting; a row opens its trace in a drawer.
import { useCallback, useEffect, useMemo, useState } from "react";
import { Link, useNavigate, useParams } from "react-router-dom";
import type { Row } from "../api/types";
import { Breadcrumbs } from "../components/AppShell";
import { ColumnPicker, useHiddenColumns } from "../components/ColumnPicker";
import { DataTable } from "../components/DataTable";
import { DeleteObjectButton } from "../components/DeleteObjectButton";
import { EmptyState, EvalSnippet } from "../components/EmptyState";
import { ErrorNotice } from "../components/ErrorNotice";
import { FilterBar } from "../components/FilterBar";
import { nextSort, parseSort, rowColumns, rowScoreNames } from "../components/RowTable";
import { DiffBadge, ScoreCell } from "../components/Score";
import { SkeletonRows } from "../components/Skeleton";
import { TraceDrawer } from "../components/TraceDrawer";
import { downloadText } from "../components/download";
import { toJsonl } from "../lib/datasetImport";
import { normalizeFilter } from "../lib/filterText";
import { formatDuration, formatNumber, formatXact, relativeTime } from "../lib/format";
import { useProject } from "../state/scope";
import { useAsync } from "../state/useAsync";
import { useRowQuery } from "../state/useRowQuery";
import { useUrlState } from "../state/useUrlState";

export default function Experiment() {
  const { experimentId = "" } = useParams();
  const { org, project, data, base } = useProject();
  const navigate = useNavigate();
  const [get, set] = useUrlState();
  const filter = get("filter");
  const search = get("search");
  const sort = parseSort(get("sort"));
  const traceId = get("trace");
  const [selected, setSelected] = useState(-1);

  const expMeta = useAsync(() => data.getExperiment(experimentId), [experimentId, data]);
  const exp = expMeta.data;
  const dsMeta = useAsync(() => (exp?.dataset_id ? data.getDataset(exp.dataset_id).catch(() => null) : Promise.resolve(null)), [exp?.dataset_id, data]);
  // Only for the "Compare with…" menu; the page never waits for it.
  const exps = useAsync(() => data.listExperiments(project.id), [project.id, data]);
  // The summary of a large experiment is the slowest request here: start it once the first
  // page of cases is in, so it never competes with the table for the data plane. Without a
  // comparison id the data plane compares with the experiment's stored base.
  const [settledFor, setSettledFor] = useState<string | null>(null);
  const rowsSettled = settledFor === experimentId;
  const summary = useAsync(
    (signal) => (rowsSettled ? data.summarize(experimentId, null, signal) : Promise.resolve(undefined)),
    [experimentId, rowsSettled, data],
  );

  const req = useMemo(() => ({
    object_type: "experiment" as const,
    object_id: experimentId,
    roots_only: true,
    filter: normalizeFilter(filter) || undefined,
    search: search.trim() || undefined,
    sort: sort ? [sort] : undefined,
  }), [experimentId, filter, search, sort?.field, sort?.dir]); // eslint-disable-line react-hooks/exhaustive-deps
  const summaryScores = useMemo(() => Object.keys(summary.data?.scores ?? {}), [summary.data]);
  const q = useRowQuery(data, req, 200, summaryScores);
  useEffect(() => {
    if (!q.loading) setSettledFor(experimentId);
  }, [q.loading, experimentId]);

  const scores = useMemo(() => rowScoreNames(q.rows, Object.keys(summary.data?.scores ?? {})), [q.rows, summary.data]);
  const allColumns = useMemo(() => rowColumns({ scores, expected: true, metadata: true }), [scores]);
  const cols = useHiddenColumns("experiment", allColumns);
  const open = useCallback((r: Row) => set({ trace: r.root_span_id ?? r.id, span: null }, false), [set]);
  const idx = traceId ? q.rows.findIndex((r) => (r.root_span_id ?? r.id) === traceId) : -1;
  const others = (exps.data ?? []).filter((e) => e.id !== experimentId);
  const name = exp?.name ?? summary.data?.experiment_name ?? "Experiment";

  return (
    <div className="page flush">
      <div style={{ padding: "16px 20px 12px" }}>
        <Breadcrumbs items={[{ label: project.name, to: `${base}/experiments` }, { label: "Experiments", to: `${base}/experiments` }, { label: name }]} />
        <div className="page-header" style={{ marginBottom: 8 }}>
          <div className="grow">
            <h1 data-testid="experiment-name">{name}</h1>
            <div className="sub row-flex" style={{ gap: 10, flexWrap: "wrap" }}>
              {exp?.created && <span title={exp.created}>{relativeTime(exp.created)}</span>}
              {exp?.repo_info?.commit && (
                <span title={exp.repo_info.commit_message ?? undefined}>
                  commit <span className="mono">{exp.repo_info.commit.slice(0, 7)}</span>{exp.repo_info.branch ? ` on ${exp.repo_info.branch}` : ""}
                </span>
              )}
              {summary.data?.comparison_experiment_name && <span>compared to {summary.data.comparison_experiment_name}</span>}
              {exp?.dataset_id && (
                <span>on <Link to={`${base}/datasets/${exp.dataset_id}${exp.dataset_version ? `?version=${encodeURIComponent(exp.dataset_version)}` : ""}`}>{dsMeta.data?.name ?? "its dataset"}{exp.dataset_version ? ` ${formatXact(exp.dataset_version)}` : ""}</Link></span>
              )}
              {exp?.description && <span>{exp.description}</span>}
            </div>
          </div>
          {others.length > 0 && (
            <select className="input" value="" onChange={(e) => e.target.value && navigate(`${base}/compare?exp=${experimentId}&with=${e.target.value}`)} aria-label="Compare with">
              <option value="">Compare with…</option>
              {others.map((o) => <option key={o.id} value={o.id}>{o.name}</option>)}
            </select>
          )}
          <button className="btn" disabled={q.rows.length === 0} onClick={() => downloadText(`${name}.jsonl`, toJsonl(q.rows))}
            title={q.hasMore ? "Exports the cases loaded so far" : "Download the cases as JSONL"}>Export</button>
          <Link className="btn" to={`${base}/review?source=experiment:${experimentId}${filter ? `&filter=${encodeURIComponent(filter)}` : ""}`}>Review</Link>
          {org.role !== "viewer" && exp && <DeleteObjectButton data={data} objectType="experiment" id={experimentId} name={name} then={`${base}/experiments`} />}
        </div>
        {expMeta.error != null && <div style={{ marginBottom: 8 }}><ErrorNotice error={expMeta.error} onRetry={expMeta.reload} /></div>}
        {summary.data && (Object.keys(summary.data.scores ?? {}).length > 0 || Object.keys(summary.data.metrics ?? {}).length > 0) && (
          <div className="row-flex" style={{ gap: 20, flexWrap: "wrap" }} data-testid="summary">
            {Object.values(summary.data.scores ?? {}).map((s) => (
              <div key={s.name} className="metric">
                <div className="label">{s.name}</div>
                <div className="row-flex" style={{ gap: 6 }}><ScoreCell value={s.score} /><DiffBadge diff={s.diff} />
                  {(s.improvements || s.regressions) ? <span style={{ fontSize: 12 }}><span className="good">{s.improvements}↑</span> <span className="bad">{s.regressions}↓</span></span> : null}
                </div>
              </div>
            ))}
            {Object.values(summary.data.metrics ?? {}).sort((a, b) => (a.name === "duration" ? -1 : b.name === "duration" ? 1 : 0)).map((m) => (
              <div key={m.name} className="metric">
                <div className="label">{m.name.replace(/_/g, " ")}</div>
                <div className="value" style={{ fontSize: 13 }}>{m.unit === "s" ? formatDuration(m.metric) : m.unit === "tok" ? formatNumber(Math.round(m.metric ?? 0)) : `${formatNumber(m.metric)}${m.unit ? ` ${m.unit}` : ""}`}</div>
              </div>
            ))}
          </div>
        )}
      </div>
      <FilterBar
        filter={filter} search={search} error={q.filterError}
        onFilter={(f) => set({ filter: f })} onSearch={(s) => set({ search: s })}
      >
        <ColumnPicker columns={allColumns} hidden={cols.hidden} toggle={cols.toggle} />
      </FilterBar>
      {q.error != null && <div style={{ padding: 16 }}><ErrorNotice error={q.error} onRetry={q.reload} /></div>}
      {q.loading && q.rows.length === 0 && !q.error ? <SkeletonRows rows={12} cols={6} /> : null}
      {!q.loading && !q.error && q.rows.length === 0 && (
        filter || search ? (
          <EmptyState title="No cases match">
            <p>Nothing matches this filter or search. <button className="btn small" onClick={() => set({ filter: null, search: null })}>Clear both</button></p>
          </EmptyState>
        ) : (
          <EmptyState title="This experiment has no cases yet"><p>Cases appear as the evaluation logs them:</p><EvalSnippet project={project.name} /></EmptyState>
        )
      )}
      {q.rows.length > 0 && (
        <DataTable
          testId="cases-table"
          rows={q.rows}
          columns={cols.visible}
          rowKey={(r) => r.id}
          sort={sort}
          onSort={(f) => set({ sort: nextSort(sort, f) })}
          onOpen={open}
          selected={selected >= 0 ? selected : idx}
          onSelect={setSelected}
          onEndReached={q.loadMore}
          hasMore={q.hasMore}
          loadingMore={q.loadingMore}
          busy={q.loading}
          keyboard={!traceId}
          footer={<><span>{q.rows.length.toLocaleString()}{q.hasMore ? "+" : ""} cases</span><span className="faint">j/k to move · Enter to open · / to search · f to filter</span></>}
        />
      )}
      {traceId && (
        <TraceDrawer
          client={data} objectType="experiment" objectId={experimentId} rootSpanId={traceId} base={base}
          title={traceId} knownScores={scores} onClose={() => set({ trace: null, span: null }, false)}
          spanId={get("span") || null} onSpanChange={(sp) => set({ span: sp })}
          onRowReviewed={(r) => q.replaceRow(r)}
          onPrev={idx > 0 ? () => { set({ trace: q.rows[idx - 1].root_span_id ?? q.rows[idx - 1].id, span: null }); setSelected(idx - 1); } : undefined}
          onNext={idx >= 0 && idx < q.rows.length - 1 ? () => { set({ trace: q.rows[idx + 1].root_span_id ?? q.rows[idx + 1].id, span: null }); setSelected(idx + 1); } : undefined}
        />
      )}
    </div>
  );
}
