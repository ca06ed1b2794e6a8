// Two or more experiments side by side: cases matched by the server as the summary matches
// them, per-score deltas, regressions and improvements highlighted and filterable, and a
// word diff of the outputs.
import { useMemo, useState } from "react";
import { Link, useSearchParams } from "react-router-dom";
import type { CompareCase } from "../api/types";
import { Breadcrumbs } from "../components/AppShell";
import { DataTable, type Column } from "../components/DataTable";
import { EmptyState } from "../components/EmptyState";
import { ErrorNotice } from "../components/ErrorNotice";
import { Drawer } from "../components/Overlay";
import { DiffBadge, ScoreCell } from "../components/Score";
import { SkeletonRows } from "../components/Skeleton";
import { TextDiffView } from "../components/TextDiffView";
import { ValueView } from "../components/ValueView";
import { classifyCase, compareScoreNames, compareScores, outputText, scoreDelta, type Change } from "../lib/compare";
import { previewValue } from "../lib/preview";
import { useProject } from "../state/scope";
import { useAsync } from "../state/useAsync";

const LETTERS = "ABCDEFGH";

export default function Compare() {
  const { project, data, base } = useProject();
  const [params, setParams] = useSearchParams();
  const primary = params.get("exp") ?? "";
  const withIds = params.getAll("with").filter((w) => w && w !== primary);
  const ids = [primary, ...withIds];
  const [show, setShow] = useState<"all" | Change>("all");
  const [scoreFilter, setScoreFilter] = useState<string>("");
  const [q, setQ] = useState("");
  const [openCase, setOpenCase] = useState<CompareCase | null>(null);

  const exps = useAsync(() => data.listExperiments(project.id), [project.id, data]);
  const result = useAsync((signal) => (primary && withIds.length ? data.compare(primary, withIds, signal) : Promise.resolve(null)), [primary, withIds.join(","), data]);
  const nameOf = (id: string) => exps.data?.find((e) => e.id === id)?.name ?? id.slice(0, 8);

  const scores = useMemo(() => compareScoreNames(result.data), [result.data]);
  const considered = scoreFilter ? [scoreFilter] : scores;
  const baseline = withIds[0];
  const classified = useMemo(
    () => (result.data?.cases ?? []).map((c) => ({ c, change: classifyCase(c, primary, baseline, considered) })),
    [result.data, primary, baseline, considered.join("|")], // eslint-disable-line react-hooks/exhaustive-deps
  );
  const counts = useMemo(() => {
    const k: Record<string, number> = { all: classified.length, regression: 0, improvement: 0, same: 0, missing: 0 };
    for (const x of classified) k[x.change]++;
    return k;
  }, [classified]);
  const rows = classified.filter((x) => (show === "all" || x.change === show) && (!q || previewValue(x.c.input, 2000).toLowerCase().includes(q.toLowerCase())));
  const summary = useMemo(() => compareScores(result.data?.cases ?? [], ids, scores), [result.data, ids.join(","), scores.join("|")]); // eslint-disable-line react-hooks/exhaustive-deps

  const columns: Column<{ c: CompareCase; change: Change }>[] = [
    {
      key: "change", header: "", width: 28,
      render: (x) => <span className={`dot ${x.change === "regression" ? "bad" : x.change === "improvement" ? "good" : "idle"}`} title={x.change} />,
    },
    { key: "input", header: "Input", width: ids.length > 2 ? 200 : 240, grow: 2, render: (x) => previewValue(x.c.input, 300) || <span className="faint">–</span> },
    ...ids.map((id, i): Column<{ c: CompareCase; change: Change }> => ({
      key: `out:${id}`, header: <span><span className="badge accent">{LETTERS[i]}</span> {nameOf(id)}</span>, width: ids.length > 2 ? 160 : 220, grow: 2,
      render: (x) => {
        const r = x.c.rows[id];
        if (!r) return <span className="faint">not in this experiment</span>;
        return previewValue(r.output, 300) || <span className="faint">–</span>;
      },
    })),
    ...considered.map((s): Column<{ c: CompareCase; change: Change }> => ({
      key: `score:${s}`, header: `${s} (A vs B)`, width: 160,
      render: (x) => (
        <span className="row-flex" style={{ gap: 6 }}>
          <ScoreCell value={x.c.rows[primary]?.scores?.[s]} />
          <DiffBadge diff={baseline ? scoreDelta(x.c, primary, baseline, s) : null} />
        </span>
      ),
    })),
  ];

  const setIds = (next: string[]) => {
    const p = new URLSearchParams();
    if (next[0]) p.set("exp", next[0]);
    for (const w of next.slice(1)) p.append("with", w);
    setParams(p);
  };

  return (
    <div className="page flush">
      <div style={{ padding: "16px 20px 8px" }}>
        <Breadcrumbs items={[{ label: project.name, to: `${base}/experiments` }, { label: "Experiments", to: `${base}/experiments` }, { label: "Compare" }]} />
        <div className="page-header" style={{ marginBottom: 10 }}>
          <div className="grow"><h1>Compare experiments</h1></div>
        </div>
        <div className="row-flex" style={{ flexWrap: "wrap", gap: 8, marginBottom: 10 }}>
          {ids.map((id, i) => (
            <span key={id} className="row-flex card" style={{ padding: "4px 8px", gap: 6 }}>
              <span className="badge accent">{LETTERS[i]}</span>
              <Link to={`${base}/experiments/${id}`}>{nameOf(id)}</Link>
              {i === 0 ? <span className="faint" style={{ fontSize: 12 }}>under test</span> : i === 1 ? <span className="faint" style={{ fontSize: 12 }}>baseline</span> : null}
              {ids.length > 2 && <button className="btn ghost small" onClick={() => setIds(ids.filter((x) => x !== id))} aria-label="remove">✕</button>}
            </span>
          ))}
          <select className="input" value="" onChange={(e) => e.target.value && setIds([...ids.filter(Boolean), e.target.value])} aria-label="Add experiment">
            <option value="">+ Add experiment</option>
            {(exps.data ?? []).filter((e) => !ids.includes(e.id)).map((e) => <option key={e.id} value={e.id}>{e.name}</option>)}
          </select>
          {ids.length >= 2 && <button className="btn ghost small" onClick={() => setIds([ids[1], ids[0], ...ids.slice(2)])}>Swap A ⇄ B</button>}
        </div>
        {summary.length > 0 && (
          <div className="card" style={{ overflowX: "auto" }}>
            <table className="simple" data-testid="compare-summary">
              <thead><tr><th>Score</th>{ids.map((id, i) => <th key={id}>{LETTERS[i]} · {nameOf(id)}</th>)}<th>A − B</th><th>Improved</th><th>Regressed</th></tr></thead>
              <tbody>
                {summary.map((s) => (
                  <tr key={s.score} className="clickable" onClick={() => setScoreFilter(scoreFilter === s.score ? "" : s.score)} style={scoreFilter === s.score ? { background: "var(--bg-selected)" } : undefined}>
                    <td style={{ fontWeight: 550 }}>{s.score}</td>
                    {ids.map((id) => <td key={id}><ScoreCell value={s.means[id]} /></td>)}
                    <td><DiffBadge diff={s.means[primary] != null && s.means[baseline] != null ? s.means[primary]! - s.means[baseline]! : null} /></td>
                    <td className="good">{s.improvements}</td>
                    <td className="bad">{s.regressions}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </div>
      <div className="toolbar">
        <div className="segmented" role="tablist">
          {(["all", "regression", "improvement", "same"] as const).map((k) => (
            <button key={k} className={show === k ? "on" : ""} onClick={() => setShow(k)} data-testid={`show-${k}`}>
              {k === "all" ? "All" : k === "regression" ? "Regressions" : k === "improvement" ? "Improvements" : "Unchanged"} ({counts[k] ?? 0})
            </button>
          ))}
        </div>
        <select className="input" value={scoreFilter} onChange={(e) => setScoreFilter(e.target.value)} aria-label="Score">
          <option value="">All scores</option>
          {scores.map((s) => <option key={s} value={s}>{s}</option>)}
        </select>
        <input className="input" placeholder="Search inputs…" value={q} onChange={(e) => setQ(e.target.value)} style={{ width: 220 }} />
      </div>
      {!primary || withIds.length === 0 ? (
        <EmptyState title="Pick experiments to compare"><p>Add a second experiment above to see case-by-case differences.</p></EmptyState>
      ) : result.error ? (
        <div style={{ padding: 16 }}><ErrorNotice error={result.error} onRetry={result.reload} /></div>
      ) : result.loading ? (
        <SkeletonRows rows={10} cols={5} />
      ) : rows.length === 0 ? (
        <EmptyState title="No cases in this view"><p>Try another filter.</p></EmptyState>
      ) : (
        <DataTable
          testId="compare-table"
          rows={rows}
          columns={columns}
          rowKey={(x) => x.c.key}
          onOpen={(x) => setOpenCase(x.c)}
          rowClassName={(x) => (x.change === "regression" ? "regressed" : x.change === "improvement" ? "improved" : undefined)}
          footer={<span>{rows.length.toLocaleString()} of {classified.length.toLocaleString()} cases · A = under test, B = baseline</span>}
        />
      )}
      {openCase && (
        <Drawer onClose={() => setOpenCase(null)} title="Case">
          <div style={{ overflow: "auto", flex: 1 }}>
            <div className="section"><div className="section-title">Input</div><ValueView value={openCase.input} /></div>
            {baseline && (
              <div className="section">
                <div className="section-title">Output diff (B → A)</div>
                <TextDiffView before={outputText(openCase.rows[baseline]?.output)} after={outputText(openCase.rows[primary]?.output)} />
              </div>
            )}
            <div className="section" style={{ display: "grid", gridTemplateColumns: `repeat(${ids.length}, minmax(0, 1fr))`, gap: 16 }}>
              {ids.map((id, i) => {
                const r = openCase.rows[id];
                return (
                  <div key={id} className="stack" style={{ gap: 8 }}>
                    <div className="row-flex"><span className="badge accent">{LETTERS[i]}</span><b className="ellipsis">{nameOf(id)}</b>
                      {r && <Link className="btn small" style={{ marginLeft: "auto" }} to={`${base}/trace/experiment/${id}/${encodeURIComponent(r.root_span_id)}`}>Trace</Link>}
                    </div>
                    {!r ? <span className="faint">Not in this experiment</span> : (
                      <>
                        {Object.entries(r.scores ?? {}).map(([k, v]) => (
                          <div key={k} className="row-flex" style={{ justifyContent: "space-between" }}><span>{k}</span>
                            <span className="row-flex"><ScoreCell value={v} />{i > 0 && <DiffBadge diff={scoreDelta(openCase, primary, id, k)} />}</span>
                          </div>
                        ))}
                        <div className="section-title" style={{ marginTop: 8 }}>Output</div>
                        <ValueView value={r.output} />
                        {r.expected !== undefined && r.expected !== null && (<><div className="section-title">Expected</div><ValueView value={r.expected} /></>)}
                      </>
                    )}
                  </div>
                );
              })}
            </div>
          </div>
        </Drawer>
      )}
    </div>
  );
}
