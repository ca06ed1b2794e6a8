// Keyboard-driven human review over a filtered set of rows: j/k to move, 1–9/0 to score,
// c to comment, Enter to save (a merge row with the scores + a comment row) and go on.
import { useEffect, useMemo, useRef, useState } from "react";
import type { Row, RowObjectType } from "../api/types";
import { Breadcrumbs } from "../components/AppShell";
import { DataTable, type Column } from "../components/DataTable";
import { EmptyState } from "../components/EmptyState";
import { describeError, ErrorNotice } from "../components/ErrorNotice";
import { rowScoreNames } from "../components/RowTable";
import { ScoreCell } from "../components/Score";
import { SkeletonRows } from "../components/Skeleton";
import { ValueView } from "../components/ValueView";
import { normalizeFilter } from "../lib/filterText";
import { formatScore } from "../lib/format";
import { previewValue } from "../lib/preview";
import { reviewEvents } from "../lib/reviewEvents";
import { keyToScore, moveIndex } from "../lib/reviewKeys";
import { useProject } from "../state/scope";
import { useAsync } from "../state/useAsync";
import { isTyping } from "../state/useHotkeys";
import { useRowQuery } from "../state/useRowQuery";
import { useUrlState } from "../state/useUrlState";

interface Pending { scores: Record<string, number>; comment: string }

export default function Review() {
  const { org, project, data, base } = useProject();
  const [get, set] = useUrlState();
  const requested = get("source");
  // Only logs of this project or an experiment can be reviewed here; anything else falls back to logs.
  const source = /^(experiment:[^:]+|project_logs:[^:]+)$/.test(requested) ? requested : `project_logs:${project.id}`;
  const [objectType, objectId] = source.split(":") as [RowObjectType, string];
  const filter = get("filter");
  const [filterDraft, setFilterDraft] = useState(filter);
  const exps = useAsync(() => data.listExperiments(project.id), [project.id, data]);
  const req = useMemo(() => ({ object_type: objectType, object_id: objectId, roots_only: true, filter: normalizeFilter(filter) || undefined }), [objectType, objectId, filter]);
  // Experiment scores live on scorer spans: ask the summary for their names so each root
  // shows its trace's current values.
  const summary = useAsync((signal) => (objectType === "experiment" ? data.summarize(objectId, null, signal) : Promise.resolve(null)), [objectType, objectId, data]);
  const traceScores = useMemo(() => Object.keys(summary.data?.scores ?? {}), [summary.data]);
  const q = useRowQuery(data, req, 100, traceScores);
  const [index, setIndex] = useState(0);
  const [extraNames, setExtraNames] = useState<string[]>([]);
  const names = useMemo(() => rowScoreNames(q.rows, extraNames), [q.rows, extraNames]);
  const [activeChoice, setActiveChoice] = useState<string | null>(null);
  const [pending, setPending] = useState<Record<string, Pending>>({});
  const [done, setDone] = useState<Record<string, boolean>>({});
  const [error, setError] = useState<string | null>(null);
  const [newName, setNewName] = useState("");
  const commentRef = useRef<HTMLTextAreaElement>(null);
  const row: Row | undefined = q.rows[index];
  const p = row ? pending[row.id] ?? { scores: {}, comment: "" } : { scores: {}, comment: "" };
  const activeName = activeChoice && names.includes(activeChoice) ? activeChoice : names[0];
  const active = activeName ? names.indexOf(activeName) : 0;

  useEffect(() => { setIndex(0); }, [source, filter]);

  const update = (patch: Partial<Pending>) => {
    if (!row) return;
    setPending((all) => ({ ...all, [row.id]: { ...p, ...patch } }));
  };

  async function save() {
    if (!row) return;
    const events = reviewEvents(row, p.scores, p.comment, new Date());
    if (events.length === 0) {
      setIndex((i) => moveIndex(i, 1, q.rows.length));
      return;
    }
    setError(null);
    try {
      await data.insert(objectType, objectId, events);
      q.replaceRow({ ...row, scores: { ...(row.scores ?? {}), ...p.scores } });
      setDone((d) => ({ ...d, [row.id]: true }));
      setPending((all) => { const n = { ...all }; delete n[row.id]; return n; });
      setIndex((i) => moveIndex(i, 1, q.rows.length));
      if (index >= q.rows.length - 5 && q.hasMore) q.loadMore();
    } catch (e) {
      setError(describeError(e));
    }
  }

  // One keydown handler for the queue; digits go to the active score.
  const handler = useRef<(e: KeyboardEvent) => void>(() => undefined);
  handler.current = (e: KeyboardEvent) => {
    if (e.metaKey || e.ctrlKey || e.altKey) return;
    if (isTyping(e.target)) {
      if (e.key === "Escape") (e.target as HTMLElement).blur();
      if (e.key === "Enter" && (e.target as HTMLElement).tagName === "TEXTAREA" && !e.shiftKey) { e.preventDefault(); (e.target as HTMLElement).blur(); void save(); }
      return;
    }
    if (e.key === "j" || e.key === "ArrowDown") { e.preventDefault(); setIndex((i) => moveIndex(i, 1, q.rows.length)); return; }
    if (e.key === "k" || e.key === "ArrowUp") { e.preventDefault(); setIndex((i) => moveIndex(i, -1, q.rows.length)); return; }
    if (e.key === "c") { e.preventDefault(); commentRef.current?.focus(); return; }
    if (e.key === "Enter") { e.preventDefault(); void save(); return; }
    if (e.key === "Tab" || e.key === "s") {
      e.preventDefault();
      if (names.length) setActiveChoice(names[(active + (e.shiftKey ? names.length - 1 : 1)) % names.length]);
      return;
    }
    const v = keyToScore(e.key);
    if (v !== null && activeName) { e.preventDefault(); update({ scores: { ...p.scores, [activeName]: v } }); }
  };
  useEffect(() => {
    const h = (e: KeyboardEvent) => handler.current(e);
    window.addEventListener("keydown", h);
    return () => window.removeEventListener("keydown", h);
  }, []);

  const columns: Column<Row>[] = [
    { key: "state", header: "", width: 26, render: (r) => (done[r.id] ? <span className="good">✓</span> : pending[r.id] ? <span className="dot" style={{ background: "var(--accent)" }} /> : null) },
    { key: "input", header: "Input", width: 200, grow: 1, render: (r) => previewValue(r.input, 200) || <span className="faint">–</span> },
  ];

  return (
    <div className="page flush">
      <div style={{ padding: "16px 20px 10px" }}>
        <Breadcrumbs items={[{ label: project.name, to: `${base}/experiments` }, { label: "Human review" }]} />
        <div className="page-header" style={{ marginBottom: 0 }}>
          <div className="grow"><h1>Human review</h1>
            <div className="sub">
              <span className="kbd">j</span>/<span className="kbd">k</span> move · <span className="kbd">1</span>–<span className="kbd">9</span> = 10–90%, <span className="kbd">0</span> = 100%, <span className="kbd">-</span> = 0% · <span className="kbd">Tab</span> next score · <span className="kbd">c</span> comment · <span className="kbd">Enter</span> save &amp; next
            </div>
          </div>
        </div>
      </div>
      <div className="toolbar">
        <select className="input" value={source} onChange={(e) => set({ source: e.target.value })} aria-label="Rows to review">
          <option value={`project_logs:${project.id}`}>Logs</option>
          {(exps.data ?? []).map((x) => <option key={x.id} value={`experiment:${x.id}`}>Experiment: {x.name}</option>)}
        </select>
        <form style={{ display: "flex", gap: 6, flex: 1 }} onSubmit={(e) => { e.preventDefault(); set({ filter: filterDraft }); }}>
          <input className={`input mono${q.filterError ? " invalid" : ""}`} style={{ flex: 1 }} value={filterDraft} onChange={(e) => setFilterDraft(e.target.value)}
            placeholder="Filter the queue, e.g. scores.Factuality < 0.5" aria-label="Filter" />
          <button className="btn">Apply</button>
        </form>
        <form className="row-flex" onSubmit={(e) => { e.preventDefault(); const n = newName.trim(); if (n) { setExtraNames((x) => (x.includes(n) ? x : [...x, n])); setActiveChoice(n); setNewName(""); } }}>
          <input className="input" placeholder="Add score name" value={newName} onChange={(e) => setNewName(e.target.value)} style={{ width: 150 }} aria-label="Add score name" />
          <button className="btn" disabled={!newName.trim()}>Add</button>
        </form>
      </div>
      {org.role === "viewer" && <div className="notice warn" style={{ margin: "8px 20px 0" }}>You are a viewer in this organization: you can look through the queue, but saving reviews needs the editor role.</div>}
      {q.filterError && <div className="inline-error" style={{ padding: "6px 20px" }}>{q.filterError}</div>}
      {q.error != null && <div style={{ padding: 16 }}><ErrorNotice error={q.error} onRetry={q.reload} /></div>}
      {q.loading && q.rows.length === 0 && !q.error && <SkeletonRows rows={8} cols={3} />}
      {!q.loading && !q.error && q.rows.length === 0 && <EmptyState title="Nothing to review"><p>No rows match this source and filter.</p></EmptyState>}
      {row && (
        <div style={{ flex: 1, minHeight: 0, display: "flex" }}>
          <div style={{ width: 320, borderRight: "1px solid var(--border)", display: "flex" }}>
            <DataTable rows={q.rows} columns={columns} rowKey={(r) => r.id} selected={index} onSelect={setIndex} onEndReached={q.loadMore} hasMore={q.hasMore} loadingMore={q.loadingMore}
              footer={<span>{index + 1} / {q.rows.length}{q.hasMore ? "+" : ""} · {Object.keys(done).length} reviewed</span>} />
          </div>
          <div style={{ flex: 1, minWidth: 0, overflow: "auto" }} data-testid="review-item">
            <div className="section" style={{ borderTop: 0 }}>
              <div className="section-title">Scores {activeName && <span className="faint" style={{ textTransform: "none", fontWeight: 400 }}>— digits set <b>{activeName}</b></span>}</div>
              {names.length === 0 && <div className="faint">Add a score name above to start scoring.</div>}
              <div className="row-flex" style={{ flexWrap: "wrap", gap: 8 }}>
                {names.map((n, i) => (
                  <button key={n} className={`btn${i === active ? " active" : ""}`} onClick={() => setActiveChoice(n)} data-testid={`score-${n}`}>
                    {n}: {p.scores[n] !== undefined ? <b>{formatScore(p.scores[n])}</b> : <ScoreCell value={row.scores?.[n]} />}
                  </button>
                ))}
              </div>
            </div>
            <div className="section">
              <div className="section-title">Comment</div>
              <textarea ref={commentRef} className="input" rows={2} style={{ width: "100%" }} placeholder="Press c to comment, Enter to save" value={p.comment}
                onChange={(e) => update({ comment: e.target.value })} aria-label="comment" />
              <div className="row-flex" style={{ marginTop: 8 }}>
                <button className="btn primary" onClick={() => void save()} data-testid="review-save">Save &amp; next <span className="kbd" style={{ background: "transparent", color: "#fff", borderColor: "rgba(255,255,255,.5)" }}>↵</span></button>
                {error && <span className="bad">{error}</span>}
                {done[row.id] && <span className="good">Reviewed</span>}
              </div>
            </div>
            <div className="section"><div className="section-title">Input</div><ValueView value={row.input} /></div>
            <div className="section"><div className="section-title">Output</div><ValueView value={row.output} /></div>
            {row.expected !== undefined && row.expected !== null && <div className="section"><div className="section-title">Expected</div><ValueView value={row.expected} /></div>}
          </div>
        </div>
      )}
    </div>
  );
}
