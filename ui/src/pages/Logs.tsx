// Production traces: time range, filter language, full-text search, refresh; a row opens its trace.
import { useCallback, useEffect, useMemo, useState } from "react";
import type { Row } from "../api/types";
import { Breadcrumbs } from "../components/AppShell";
import { ColumnPicker, useHiddenColumns } from "../components/ColumnPicker";
import { DataTable } from "../components/DataTable";
import { EmptyState, LoggingSnippet } from "../components/EmptyState";
import { ErrorNotice } from "../components/ErrorNotice";
import { FilterBar } from "../components/FilterBar";
import { RetentionSelect } from "../components/RetentionSelect";
import { nextSort, parseSort, rowColumns, rowScoreNames } from "../components/RowTable";
import { SkeletonRows } from "../components/Skeleton";
import { bucketFor, mergeBucketRows, toBuckets, VolumeChart } from "../components/VolumeChart";
import { TraceDrawer } from "../components/TraceDrawer";
import { downloadText } from "../components/download";
import { toJsonl } from "../lib/datasetImport";
import { andFilters, TIME_RANGES, timeRangeFilter, type TimeRange } from "../lib/filterText";
import { useProject } from "../state/scope";
import { useAsync } from "../state/useAsync";
import { useRowQuery } from "../state/useRowQuery";
import { useUrlState } from "../state/useUrlState";

const RANGE_SPAN: Record<string, number> = { "15m": 900_000, "1h": 3_600_000, "24h": 86_400_000, "7d": 604_800_000, "30d": 2_592_000_000 };

export default function Logs() {
  const { org, project, data, base } = useProject();
  const [get, set] = useUrlState();
  const filter = get("filter");
  const search = get("search");
  const range = (get("range") || "7d") as TimeRange;
  const errorsOnly = get("errors") === "1";
  const sort = parseSort(get("sort")) ?? { field: "created", dir: "desc" as const };
  const traceId = get("trace");
  const [selected, setSelected] = useState(-1);
  // The time window is anchored when the user picks it or refreshes, not on every render.
  const [anchor, setAnchor] = useState(() => Date.now());
  const [auto, setAuto] = useState(false);

  const req = useMemo(() => ({
    object_type: "project_logs" as const,
    object_id: project.id,
    roots_only: true,
    filter: andFilters(timeRangeFilter(range, anchor), errorsOnly ? "error IS NOT NULL" : undefined, filter),
    search: search.trim() || undefined,
    sort: [sort],
  }), [project.id, range, anchor, errorsOnly, filter, search, sort.field, sort.dir]); // eslint-disable-line react-hooks/exhaustive-deps
  const q = useRowQuery(data, req);
  const refresh = useCallback(() => setAnchor(Date.now()), []);
  useEffect(() => {
    if (!auto) return;
    const t = setInterval(refresh, 10_000);
    return () => clearInterval(t);
  }, [auto, refresh]);

  const bucket = bucketFor(range);
  const volume = useAsync(async (signal) => {
    const ask = (extra: string | undefined, alias: string) => data.aggregate({
      object_type: "project_logs", object_id: project.id,
      filter: andFilters("is_root = true", req.filter, extra),
      group_by: [{ bucket: "created", interval: bucket.interval }],
      measures: [{ fn: "count", alias }],
    }, signal);
    const [all, failed] = await Promise.all([ask(undefined, "n"), ask("error IS NOT NULL", "errors")]);
    return toBuckets(mergeBucketRows(all, failed));
  }, [project.id, req.filter, bucket.interval, data]);
  // An empty view of a project that has never logged anything teaches the SDK lines instead.
  const emptyView = !q.loading && !q.error && q.rows.length === 0;
  const everLogged = useAsync(
    (signal) => (emptyView ? data.query({ object_type: "project_logs", object_id: project.id, roots_only: true, limit: 1 }, signal).then((p) => p.data.length > 0) : Promise.resolve(true)),
    [emptyView, project.id, data],
  );
  const scores = useMemo(() => rowScoreNames(q.rows), [q.rows]);
  const allColumns = useMemo(() => rowColumns({ scores, created: true, name: true, spans: true, tags: true }), [scores]);
  const cols = useHiddenColumns("logs", allColumns);
  const idx = traceId ? q.rows.findIndex((r) => (r.root_span_id ?? r.id) === traceId) : -1;
  const open = useCallback((r: Row) => set({ trace: r.root_span_id ?? r.id, span: null }, false), [set]);

  return (
    <div className="page flush">
      <div style={{ padding: "16px 20px 10px" }}>
        <Breadcrumbs items={[{ label: project.name, to: `${base}/experiments` }, { label: "Logs" }]} />
        <div className="page-header" style={{ marginBottom: 0 }}>
          <div className="grow"><h1>Logs</h1><div className="sub">Traces your application logged in production.</div></div>
          <select className="input" value={range} onChange={(e) => { set({ range: e.target.value }); refresh(); }} aria-label="Time range">
            {TIME_RANGES.map((r) => <option key={r.value} value={r.value}>{r.label}</option>)}
          </select>
          <label className="row-flex muted" style={{ fontSize: 13 }}>
            <input type="checkbox" checked={errorsOnly} onChange={(e) => set({ errors: e.target.checked ? "1" : null })} /> Errors only
          </label>
          <label className="row-flex muted" style={{ fontSize: 13 }} title="Refresh every 10 seconds">
            <input type="checkbox" checked={auto} onChange={(e) => setAuto(e.target.checked)} /> Live
          </label>
          <button className="btn" disabled={q.rows.length === 0} onClick={() => downloadText(`${project.name || "logs"}-logs.jsonl`, toJsonl(q.rows))}
            title={q.hasMore ? "Exports the traces loaded so far" : "Download the traces as JSONL"}>Export</button>
          <button className="btn" onClick={refresh} data-testid="refresh">↻ Refresh</button>
          <RetentionSelect projectId={project.id} canChange={org.role === "owner" || org.role === "admin"} />
        </div>
      </div>
      {volume.data && volume.data.length > 0 && (
        <VolumeChart buckets={volume.data} bucketMs={bucket.ms}
          from={range === "all" ? volume.data[0].start : anchor - (RANGE_SPAN[range] ?? 0)} to={range === "all" ? volume.data[volume.data.length - 1].start + bucket.ms : anchor} />
      )}
      <FilterBar filter={filter} search={search} error={q.filterError} onFilter={(f) => set({ filter: f })} onSearch={(s) => set({ search: s })}>
        <ColumnPicker columns={allColumns} hidden={cols.hidden} toggle={cols.toggle} />
      </FilterBar>
      {q.error != null && <div style={{ padding: 16 }}><ErrorNotice error={q.error} onRetry={q.reload} /></div>}
      {q.loading && q.rows.length === 0 && !q.error && <SkeletonRows rows={12} cols={6} />}
      {emptyView && !everLogged.loading && (
        everLogged.data !== false ? (
          <EmptyState title="No traces in this view">
            <p>Nothing matches in {TIME_RANGES.find((r) => r.value === range)?.label.toLowerCase()}.</p>
            <div className="row-flex" style={{ justifyContent: "center" }}>
              {range !== "all" && <button className="btn" onClick={() => set({ range: "all" })}>Show all time</button>}
              {(filter || search || errorsOnly) && <button className="btn" onClick={() => set({ filter: null, search: null, errors: null })}>Clear filters and search</button>}
            </div>
          </EmptyState>
        ) : (
          <EmptyState title="Log your first trace">
            <p>Add three lines to your application and every call shows up here:</p>
            <LoggingSnippet project={project.name} />
          </EmptyState>
        )
      )}
      {q.rows.length > 0 && (
        <DataTable
          testId="logs-table"
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
          footer={<><span>{q.rows.length.toLocaleString()}{q.hasMore ? "+" : ""} traces</span>{q.loading && <span>Refreshing…</span>}<span className="faint">j/k · Enter · / search · f filter</span></>}
        />
      )}
      {traceId && (
        <TraceDrawer client={data} objectType="project_logs" objectId={project.id} rootSpanId={traceId} base={base} title={traceId}
          knownScores={scores} onClose={() => set({ trace: null, span: null }, false)}
          spanId={get("span") || null} onSpanChange={(sp) => set({ span: sp })} onRowReviewed={(r) => q.replaceRow(r)}
          onPrev={idx > 0 ? () => set({ trace: q.rows[idx - 1].root_span_id ?? q.rows[idx - 1].id, span: null }) : undefined}
          onNext={idx >= 0 && idx < q.rows.length - 1 ? () => set({ trace: q.rows[idx + 1].root_span_id ?? q.rows[idx + 1].id, span: null }) : undefined}
        />
      )}
    </div>
  );
}
