// Span tree with a timing waterfall beside the selected span's details. The trace loads in
// pages (first page shown at once, the rest streamed in), and only visible rows are in the
// DOM, so a 10,000-span trace stays responsive.
import { useVirtualizer } from "@tanstack/react-virtual";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { DataClient } from "../api/data";
import type { Row, RowObjectType } from "../api/types";
import { formatCost, formatDuration, formatNumber } from "../lib/format";
import { ancestorKeys, buildTraceTree, defaultCollapsed, flattenTree, sumMetric, traceScores } from "../lib/traceTree";
import { useHotkeys } from "../state/useHotkeys";
import { ErrorNotice } from "./ErrorNotice";
import { ScoreCell } from "./Score";
import { SkeletonRows } from "./Skeleton";
import { Metric, SpanDetails } from "./SpanDetails";

const FIRST_PAGE = 300;
const NEXT_PAGE = 1000;
const ROW_H = 28;
const INDENT = 14;
const MAX_INDENT_DEPTH = 24;

const NO_COMMENTS: Row[] = [];
const BAR_COLORS: Record<string, string> = {
  llm: "#8b5cf6", score: "#22c55e", tool: "#f59e0b", task: "#3b82f6", eval: "#3b82f6", function: "#0ea5e9",
};

export function TraceViewer({ client, objectType, objectId, rootSpanId, knownScores, onRowReviewed, spanId, onSpanChange }: {
  client: DataClient; objectType: RowObjectType; objectId: string; rootSpanId: string; knownScores?: string[];
  onRowReviewed?: (r: Row) => void;
  /** The span to select (from the URL), and where to report the user's selection (to put it there). */
  spanId?: string | null; onSpanChange?: (spanId: string) => void;
}) {
  const [spans, setSpans] = useState<Row[]>([]);
  const [loading, setLoading] = useState(true);
  const [streaming, setStreaming] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const [selectedKey, setSelectedKey] = useState<string | null>(null);
  const [collapsed, setCollapsed] = useState<Set<string> | null>(null);

  useEffect(() => {
    const ctl = new AbortController();
    setSpans([]);
    setLoading(true);
    setError(null);
    setCollapsed(null);
    setSelectedKey(null);
    (async () => {
      let cursor: string | null = null;
      let first = true;
      try {
        do {
          const page = await client.trace(objectType, objectId, rootSpanId, cursor, first ? FIRST_PAGE : NEXT_PAGE, ctl.signal);
          if (ctl.signal.aborted) return;
          const isFirst = first; // the updater runs later, after `first` has moved on
          setSpans((s) => (isFirst ? page.data : s.concat(page.data)));
          if (first) {
            setLoading(false);
            setStreaming(!!page.cursor);
          }
          first = false;
          cursor = page.cursor;
        } while (cursor);
        setStreaming(false);
      } catch (e) {
        if (ctl.signal.aborted) return;
        setError(e);
        setLoading(false);
        setStreaming(false);
      }
    })();
    return () => ctl.abort();
  }, [client, objectType, objectId, rootSpanId, tick]);

  // Comment rows carry no span ids (origin.id points at their row), so they are not part of
  // the trace pages: fetch them once and attach them to the spans they point at.
  const [comments, setComments] = useState<Map<string, Row[]>>(new Map());
  useEffect(() => {
    const ctl = new AbortController();
    setComments(new Map());
    client.query({ object_type: objectType, object_id: objectId, filter: "span_id IS NULL", limit: 1000 }, ctl.signal).then(
      (page) => {
        const m = new Map<string, Row[]>();
        for (const r of page.data) {
          const target = r.comment && r.origin?.id ? String(r.origin.id) : null;
          if (target) m.set(target, [...(m.get(target) ?? []), r]);
        }
        setComments(m);
      },
      () => undefined, // comments are optional here
    );
    return () => ctl.abort();
  }, [client, objectType, objectId, rootSpanId, tick]);

  const tree = useMemo(() => buildTraceTree(spans), [spans]);
  const totals = useMemo(() => ({
    tokens: sumMetric(tree, ["tokens", "total_tokens"]),
    cost: sumMetric(tree, ["estimated_cost", "cost"]),
    scores: traceScores(tree),
  }), [tree]);
  const effectiveCollapsed = useMemo(() => collapsed ?? defaultCollapsed(tree), [collapsed, tree]);
  const visible = useMemo(() => flattenTree(tree, effectiveCollapsed), [tree, effectiveCollapsed]);
  const selectedIndex = selectedKey ? visible.findIndex((v) => v.node.key === selectedKey) : 0;
  const selected = visible[selectedIndex >= 0 ? selectedIndex : 0]?.node ?? tree.roots[0];

  // Find a span by name (or type) in the whole tree, collapsed parts included.
  const [find, setFind] = useState("");
  const [matchIndex, setMatchIndex] = useState(0);
  const matches = useMemo(() => {
    const q = find.trim().toLowerCase();
    if (!q) return [] as string[];
    return flattenTree(tree, new Set())
      .filter((v) => String(v.node.row.span_attributes?.name ?? "").toLowerCase().includes(q) || String(v.node.row.span_attributes?.type ?? "") === q)
      .map((v) => v.node.key);
  }, [find, tree]);
  const matchSet = useMemo(() => new Set(matches), [matches]);

  const scrollRef = useRef<HTMLDivElement>(null);
  const virt = useVirtualizer({ count: visible.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_H, overscan: 20 });

  const toggle = useCallback((key: string) => {
    setCollapsed((c) => {
      const next = new Set(c ?? effectiveCollapsed);
      if (next.has(key)) next.delete(key);
      else next.add(key);
      return next;
    });
  }, [effectiveCollapsed]);

  // A linked span: select it once it has arrived, with its ancestors expanded.
  const linked = useRef<string | null>(null);
  // Spans this viewer selected and reported (onSpanChange → the URL): when one comes back as
  // `spanId` it is an echo, not a link to follow. URL updates may land late (router transitions),
  // after the user moved on: following the echo would snap the selection back.
  const reported = useRef(new Set<string>());
  useEffect(() => {
    if (!spanId || linked.current === `${rootSpanId}/${spanId}` || !tree.byKey.has(spanId)) return;
    linked.current = `${rootSpanId}/${spanId}`;
    if (reported.current.delete(spanId)) return;
    const anc = new Set(ancestorKeys(tree, spanId));
    setCollapsed(new Set([...effectiveCollapsed].filter((k) => !anc.has(k))));
    setSelectedKey(spanId);
  }, [spanId, rootSpanId, tree, effectiveCollapsed]);
  useEffect(() => {
    if (selectedKey && selectedKey !== spanId && onSpanChange) {
      reported.current.add(selectedKey);
      onSpanChange(selectedKey);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [selectedKey]);

  const select = useCallback((idx: number) => {
    const v = visible[Math.max(0, Math.min(visible.length - 1, idx))];
    if (v) {
      setSelectedKey(v.node.key);
      virt.scrollToIndex(Math.max(0, Math.min(visible.length - 1, idx)), { align: "auto" });
    }
  }, [visible, virt]);

  useHotkeys({
    j: () => select(selectedIndex + 1),
    k: () => select(selectedIndex - 1),
    ArrowDown: () => select(selectedIndex + 1),
    ArrowUp: () => select(selectedIndex - 1),
    ArrowLeft: () => { if (selected && selected.children.length && !effectiveCollapsed.has(selected.key)) toggle(selected.key); },
    ArrowRight: () => { if (selected && effectiveCollapsed.has(selected.key)) toggle(selected.key); },
  }, visible.length > 0, true);

  const goToMatch = useCallback((i: number) => {
    if (matches.length === 0) return;
    const idx = ((i % matches.length) + matches.length) % matches.length;
    const key = matches[idx];
    setMatchIndex(idx);
    const anc = new Set(ancestorKeys(tree, key));
    const nextCollapsed = new Set([...effectiveCollapsed].filter((k) => !anc.has(k)));
    setCollapsed(nextCollapsed);
    setSelectedKey(key);
    const pos = flattenTree(tree, nextCollapsed).findIndex((v) => v.node.key === key);
    if (pos >= 0) requestAnimationFrame(() => virt.scrollToIndex(pos, { align: "center" }));
  }, [matches, tree, effectiveCollapsed, virt]);

  // Keep a selected span's ancestors expanded (e.g. after new pages attach it deeper).
  useEffect(() => {
    if (!selectedKey || !collapsed) return;
    const anc = ancestorKeys(tree, selectedKey);
    if (anc.some((a) => collapsed.has(a))) setCollapsed(new Set([...collapsed].filter((k) => !anc.includes(k))));
  }, [selectedKey, tree, collapsed]);

  if (loading) return <div style={{ flex: 1 }}><SkeletonRows rows={10} cols={3} /></div>;
  if (error && spans.length === 0) return <div style={{ padding: 16 }}><ErrorNotice error={error} onRetry={() => setTick((t) => t + 1)} /></div>;
  if (spans.length === 0) return <div className="empty"><h2>This trace has no spans</h2><p>It may have been deleted, or its spans are still being written.</p></div>;

  const t0 = tree.start ?? 0;
  const total = Math.max(1e-6, (tree.end ?? t0) - t0);
  const rootRow = tree.roots[0]?.row;
  const declared = typeof rootRow?.span_count === "number" ? rootRow.span_count : null;
  const { tokens, cost, scores } = totals;

  return (
    <div className="trace" data-testid="trace-viewer" data-spans={tree.size} data-complete={!streaming}>
      <div className="trace-tree">
        <div className="metrics" style={{ borderBottom: "1px solid var(--border)" }}>
          <Metric label="Latency" value={formatDuration(total)} />
          <Metric label="Spans" value={<span data-testid="span-count">{formatNumber(tree.size)}{declared && declared > tree.size ? ` / ${formatNumber(declared)}` : ""}</span>} />
          {tokens !== null && <Metric label="Tokens" value={formatNumber(tokens)} />}
          {cost !== null && <Metric label="Cost" value={formatCost(cost)} />}
          {Object.entries(scores).slice(0, 4).map(([k, v]) => <Metric key={k} label={k} value={<ScoreCell value={v} />} />)}
          {streaming && <span className="badge accent" style={{ alignSelf: "center" }}>loading spans…</span>}
        </div>
        {error != null && <div style={{ padding: 8 }}><ErrorNotice error={error} onRetry={() => setTick((t) => t + 1)} /></div>}
        <div className="row-flex" style={{ padding: "6px 8px", borderBottom: "1px solid var(--border)" }}>
          <input
            className="input" style={{ flex: 1, height: 26 }} placeholder="Find span by name or type…" value={find}
            onChange={(e) => { setFind(e.target.value); setMatchIndex(0); }}
            onKeyDown={(e) => {
              if (e.key === "Enter") goToMatch(matchIndex + (e.shiftKey ? -1 : find && selectedKey === matches[matchIndex] ? 1 : 0));
              if (e.key === "Escape") (e.target as HTMLInputElement).blur();
            }}
            aria-label="Find span"
          />
          {find && <span className="faint nowrap" style={{ fontSize: 12 }}>{matches.length ? `${matchIndex + 1} / ${matches.length}` : "no match"}</span>}
          {!find && tree.size > 1 && (
            <>
              <button className="btn ghost small" onClick={() => setCollapsed(new Set())} title="Expand every span">Expand all</button>
              <button className="btn ghost small" title="Show only the root's children"
                onClick={() => setCollapsed(new Set(tree.roots.flatMap((r) => r.children).filter((n) => n.children.length > 0).map((n) => n.key)))}>
                Collapse
              </button>
            </>
          )}
          {find && matches.length > 1 && (
            <>
              <button className="btn ghost small" onClick={() => goToMatch(matchIndex - 1)} aria-label="previous match">↑</button>
              <button className="btn ghost small" onClick={() => goToMatch(matchIndex + 1)} aria-label="next match">↓</button>
            </>
          )}
        </div>
        <div className="span-row" style={{ position: "relative", height: 22, cursor: "default", borderBottom: "1px solid var(--border)", background: "var(--bg-subtle)" }} aria-hidden>
          <div className="name faint" style={{ width: "46%", paddingLeft: 8, fontSize: 11 }}>{visible.length.toLocaleString()} shown</div>
          <div className="bar-track" style={{ height: 22 }}>
            {[0, 0.5, 1].map((f) => (
              <span key={f} className="faint" style={{ position: "absolute", left: `${f * 100}%`, top: 4, fontSize: 10.5, transform: f === 1 ? "translateX(-100%)" : f === 0 ? undefined : "translateX(-50%)" }}>
                {f === 0 ? "0" : formatDuration(total * f)}
              </span>
            ))}
          </div>
          <div className="dur" />
        </div>
        <div ref={scrollRef} style={{ flex: 1, overflow: "auto", position: "relative" }} role="tree" aria-label="Spans">
          <div style={{ height: virt.getTotalSize(), position: "relative" }}>
            {virt.getVirtualItems().map((vi) => {
              const v = visible[vi.index];
              const n = v.node;
              const type = n.row.span_attributes?.type ?? "";
              const start = n.start ?? t0;
              const end = n.end ?? start;
              const indent = Math.min(v.depth, MAX_INDENT_DEPTH) * INDENT;
              return (
                <div
                  key={n.key}
                  className={`span-row${n === selected ? " selected" : ""}${matchSet.has(n.key) ? " match" : ""}`}
                  style={{ top: vi.start, height: ROW_H }}
                  onClick={() => setSelectedKey(n.key)}
                  role="treeitem"
                  aria-selected={n === selected}
                  aria-expanded={v.hasChildren ? !v.collapsed : undefined}
                  data-testid="span-row"
                >
                  <div className="name" style={{ width: "46%", paddingLeft: 6 + indent }}>
                    <span className="caret" onClick={(e) => { e.stopPropagation(); if (v.hasChildren) toggle(n.key); }}>
                      {v.hasChildren ? (v.collapsed ? "▸" : "▾") : ""}
                    </span>
                    {type && <span className={`type-pill type-${type}`}>{type}</span>}
                    <span className="ellipsis">{String(n.row.span_attributes?.name ?? "span")}</span>
                    {v.collapsed && <span className="faint">({n.children.length})</span>}
                    {v.depth > MAX_INDENT_DEPTH && <span className="faint">·{v.depth}</span>}
                  </div>
                  <div className="bar-track">
                    <div className="bar" style={{
                      left: `${((start - t0) / total) * 100}%`,
                      width: `${Math.max(0.3, ((end - start) / total) * 100)}%`,
                      background: n.row.error ? "#ef4444" : BAR_COLORS[type] ?? "#a1a1aa",
                    }} />
                  </div>
                  <div className="dur">{n.end !== null && n.start !== null ? formatDuration(n.end - n.start) : ""}</div>
                </div>
              );
            })}
          </div>
        </div>
      </div>
      <div className="trace-detail">
        {selected && (
          <SpanDetails
            key={selected.key}
            row={selected.row}
            client={client}
            objectType={objectType}
            objectId={objectId}
            comments={tree.comments.get(selected.row.id) ?? comments.get(selected.row.id) ?? NO_COMMENTS}
            knownScores={knownScores}
            traceStart={tree.start}
            onReviewed={(r) => {
              setSpans((ss) => ss.map((s) => (s.id === r.id ? r : s)));
              onRowReviewed?.(r);
            }}
          />
        )}
      </div>
    </div>
  );
}
