// Experiments of a project: score summaries, a chart of each score over time, who ran each
// one, when, and from which commit. Names come from the control plane; everything else from
// the data plane.
import { useEffect, useMemo, useState } from "react";
import { Link, useNavigate } from "react-router-dom";
import { control } from "../api/control";
import type { ExperimentSummary, Member } from "../api/types";
import { Breadcrumbs } from "../components/AppShell";
import { EmptyState, EvalSnippet } from "../components/EmptyState";
import { ErrorNotice } from "../components/ErrorNotice";
import { LineChart, PALETTE } from "../components/LineChart";
import { DiffBadge, ScoreCell } from "../components/Score";
import { SkeletonLine, SkeletonRows } from "../components/Skeleton";
import { eachLimited, mergeExperiments, scoreNames, scoreSeries } from "../lib/experimentList";
import { formatDuration, relativeTime, shortId } from "../lib/format";
import { useProject } from "../state/scope";
import { useAction } from "../state/useAction";
import { useAsync } from "../state/useAsync";

const SUMMARIZED = 60;

export default function Experiments() {
  const { org, project, data, base } = useProject();
  const navigate = useNavigate();
  const names = useAsync(() => control.objects(project.id, "experiment").catch(() => null), [project.id]);
  const meta = useAsync(() => data.listExperiments(project.id), [project.id, data]);
  const members = useAsync(() => control.members(org.id).catch(() => [] as Member[]), [org.id]);
  const [summaries, setSummaries] = useState(new Map<string, ExperimentSummary>());
  const [selected, setSelected] = useState<string[]>([]);
  const [q, setQ] = useState("");

  const exps = useMemo(() => mergeExperiments(meta.data ?? null, names.data ?? null, project.id), [meta.data, names.data, project.id]);

  useEffect(() => {
    if (!meta.data) return;
    const ctl = new AbortController();
    const todo = exps.slice(0, SUMMARIZED);
    void eachLimited(todo, 4, async (e) => {
      const s = await data.summarize(e.id, e.base_exp_id ?? undefined, ctl.signal);
      if (!ctl.signal.aborted) setSummaries((m) => new Map(m).set(e.id, s));
    }, ctl.signal);
    return () => ctl.abort();
  }, [exps, meta.data, data]);

  const scores = useMemo(() => scoreNames(summaries.values()), [summaries]);
  const series = useMemo(
    () => scoreSeries(exps, summaries, scores).map((s, i) => ({ ...s, color: PALETTE[i % PALETTE.length] })),
    [exps, summaries, scores],
  );
  const userName = (id?: string | null) => {
    if (!id) return null;
    const m = members.data?.find((x) => x.user_id === id || x.id === id);
    return m ? m.name || m.email : shortId(id);
  };
  const visible = exps.filter((e) => e.name.toLowerCase().includes(q.toLowerCase()));
  const toggle = (id: string) => setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id]));
  const compareUrl = () => {
    // The newest selected is the one under test; the others are its baselines.
    const ordered = exps.filter((e) => selected.includes(e.id)).map((e) => e.id);
    return `${base}/compare?exp=${ordered[0]}${ordered.slice(1).map((id) => `&with=${id}`).join("")}`;
  };

  const canWrite = org.role !== "viewer";
  const deletion = useAction();
  const deleteSelected = async () => {
    const chosen = exps.filter((e) => selected.includes(e.id));
    const list = chosen.map((e) => `  ${e.name}`).join("\n");
    if (!window.confirm(`Delete ${chosen.length} experiment${chosen.length === 1 ? "" : "s"} for good, with their traces, scores and comments?\n\n${list}`)) return;
    await deletion.run(async () => {
      for (const e of chosen) await data.deleteObject("experiment", e.id);  // one at a time: each is a purge
    });
    setSelected([]);
    meta.reload();
    names.reload();
  };
  const loading = meta.loading && names.loading;
  return (
    <div className="page">
      <Breadcrumbs items={[{ label: "Projects", to: `/o/${org.id}` }, { label: project.name }]} />
      <div className="page-header">
        <div className="grow"><h1>Experiments</h1></div>
        {exps.length > 5 && <input className="input" placeholder="Find an experiment…" value={q} onChange={(e) => setQ(e.target.value)} style={{ width: 220 }} />}
        {canWrite && selected.length > 0 && (
          <button className="btn danger" disabled={deletion.busy} onClick={() => void deleteSelected()} data-testid="delete-selected">
            {deletion.busy ? "Deleting…" : `Delete (${selected.length})`}
          </button>
        )}
        <button className="btn primary" disabled={selected.length < 2} onClick={() => navigate(compareUrl())} data-testid="compare-button"
          title={selected.length < 2 ? "Tick two or more experiments" : undefined}>
          Compare{selected.length ? ` (${selected.length})` : ""}
        </button>
      </div>
      {meta.error != null && <div style={{ marginBottom: 12 }}><ErrorNotice error={meta.error} onRetry={meta.reload} /></div>}
      {deletion.error && <div className="notice error" role="alert" style={{ marginBottom: 12 }}>{deletion.error}</div>}
      {loading && <SkeletonRows rows={6} />}
      {!loading && exps.length === 0 && !meta.error && (
        <EmptyState title="No experiments yet">
          <p>Run an evaluation with the SDK and its results appear here, with scores compared to the previous run:</p>
          <EvalSnippet project={project.name} />
        </EmptyState>
      )}
      {series.some((s) => s.points.length > 1) && (
        <div className="card" style={{ marginBottom: 16 }}>
          <div className="card-header">Scores over time</div>
          <div className="card-body">
            <LineChart series={series} onPointClick={(label) => {
              const e = exps.find((x) => x.name === label);
              if (e) navigate(`${base}/experiments/${e.id}`);
            }} />
          </div>
        </div>
      )}
      {exps.length > 0 && (
        <div className="card" style={{ overflowX: "auto" }}>
          <table className="simple" data-testid="experiment-list">
            <thead>
              <tr>
                <th style={{ width: 28 }} />
                <th>Experiment</th>
                {scores.map((s) => <th key={s}>{s}</th>)}
                <th>Duration</th>
                <th>Ran by</th>
                <th>Commit</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {visible.map((e, i) => {
                const s = summaries.get(e.id);
                const dur = s?.metrics?.duration;
                const repo = e.repo_info;
                return (
                  <tr key={e.id} className="clickable" onClick={() => navigate(`${base}/experiments/${e.id}`)}>
                    <td onClick={(ev) => ev.stopPropagation()}>
                      <input type="checkbox" checked={selected.includes(e.id)} onChange={() => toggle(e.id)} aria-label={`select ${e.name}`} />
                    </td>
                    <td>
                      <Link to={`${base}/experiments/${e.id}`} onClick={(ev) => ev.stopPropagation()} style={{ fontWeight: 550 }}>{e.name}</Link>
                      {s?.comparison_experiment_name && <div className="faint" style={{ fontSize: 11.5 }}>vs {s.comparison_experiment_name}</div>}
                      {e.description && <div className="muted ellipsis" style={{ fontSize: 12, maxWidth: 320 }}>{e.description}</div>}
                    </td>
                    {scores.map((name) => {
                      const it = s?.scores?.[name];
                      return (
                        <td key={name}>
                          {!s && i < SUMMARIZED ? <SkeletonLine width={60} /> : it ? (
                            <div className="row-flex" style={{ gap: 6 }}>
                              <ScoreCell value={it.score} />
                              <DiffBadge diff={it.diff} />
                            </div>
                          ) : <span className="faint">–</span>}
                          {it && (it.improvements || it.regressions) ? (
                            <div style={{ fontSize: 11.5, marginTop: 2 }}>
                              <span className="good">{it.improvements ?? 0}↑</span> <span className="bad">{it.regressions ?? 0}↓</span>
                            </div>
                          ) : null}
                        </td>
                      );
                    })}
                    <td className="nowrap">{dur ? formatDuration(dur.metric) : "–"}</td>
                    <td className="nowrap">{userName(e.user_id) ?? <span className="faint">–</span>}</td>
                    <td className="nowrap" title={repo?.commit_message ?? undefined}>
                      {repo?.commit ? (
                        <span className="mono">{repo.commit.slice(0, 7)}{repo.dirty ? "*" : ""}</span>
                      ) : <span className="faint">–</span>}
                      {repo?.branch && <span className="badge" style={{ marginLeft: 6 }}>{repo.branch}</span>}
                    </td>
                    <td className="nowrap muted" title={e.created}>{relativeTime(e.created)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
