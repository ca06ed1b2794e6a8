import { useEffect, useState } from "react";
import type { ExperimentMeta } from "../api/types";
import { Link, useNavigate } from "react-router-dom";
import { control } from "../api/control";
import { DeleteObjectButton } from "../components/DeleteObjectButton";
import { EmptyState, LoggingSnippet } from "../components/EmptyState";
import { describeError, ErrorNotice } from "../components/ErrorNotice";
import { SkeletonCards } from "../components/Skeleton";
import { eachLimited } from "../lib/experimentList";
import { formatDate, relativeTime } from "../lib/format";
import { useOrg } from "../state/scope";
import { useAsync } from "../state/useAsync";

export default function Projects() {
  const { org } = useOrg();
  const { data: dataClient } = useOrg();
  const projects = useAsync(() => control.projects(org.id), [org.id]);
  // Activity per project, from the data plane (a card still shows if it is unreachable).
  const [activity, setActivity] = useState(new Map<string, ExperimentMeta[]>());
  useEffect(() => {
    if (!projects.data) return;
    const ctl = new AbortController();
    void eachLimited(projects.data.slice(0, 48), 4, async (p) => {
      const exps = await dataClient.listExperiments(p.id);
      if (!ctl.signal.aborted) setActivity((m) => new Map(m).set(p.id, exps));
    }, ctl.signal);
    return () => ctl.abort();
  }, [projects.data, dataClient]);
  const [name, setName] = useState("");
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [q, setQ] = useState("");
  const navigate = useNavigate();
  const canWrite = org.role !== "viewer";
  const isAdmin = org.role === "owner" || org.role === "admin";

  async function create(e: React.FormEvent) {
    e.preventDefault();
    if (!name.trim()) return;
    setCreating(true);
    setError(null);
    try {
      const p = await control.createProject(org.id, name.trim());
      navigate(`/o/${org.id}/p/${p.id}/experiments`);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setCreating(false);
    }
  }

  const list = (projects.data ?? []).filter((p) => p.name.toLowerCase().includes(q.toLowerCase()));
  return (
    <div className="page">
      <div className="page-header">
        <div className="grow"><h1>Projects</h1><div className="sub">{org.name}</div></div>
        {(projects.data?.length ?? 0) > 6 && (
          <input className="input" placeholder="Find a project…" value={q} onChange={(e) => setQ(e.target.value)} style={{ width: 220 }} />
        )}
        {canWrite && (
          <form className="row-flex" onSubmit={create}>
            <input className="input" placeholder="New project name" value={name} onChange={(e) => setName(e.target.value)} aria-label="New project name" />
            <button className="btn primary" disabled={creating || !name.trim()}>Create project</button>
          </form>
        )}
      </div>
      {error && <div className="notice error" style={{ marginBottom: 12 }}>{error}</div>}
      {projects.loading && <SkeletonCards />}
      {projects.error != null && <ErrorNotice error={projects.error} onRetry={projects.reload} />}
      {projects.data && projects.data.length === 0 && (
        <EmptyState title="Create your first project">
          <p>A project holds the experiments, logs, datasets and prompts of one application. Create one above, or let the SDK create it on first use:</p>
          <LoggingSnippet project="my-project" />
        </EmptyState>
      )}
      {list.length > 0 && (
        <div className="grid-cards" data-testid="project-list">
          {list.map((p) => (
            <div key={p.id} className="card card-body card-link">
              <div className="row-flex">
                <span className="avatar" style={{ background: "var(--bg-muted)", color: "var(--text-muted)" }}>{p.name.slice(0, 1).toUpperCase()}</span>
                <Link to={`/o/${org.id}/p/${p.id}/experiments`} className="ellipsis stretched" style={{ fontWeight: 600, flex: 1, minWidth: 0, color: "inherit" }}>{p.name}</Link>
                {isAdmin && <DeleteObjectButton data={dataClient} objectType="project" id={p.id} name={p.name} inCard onDeleted={projects.reload} />}
              </div>
              <ProjectActivity exps={activity.get(p.id)} created={p.created} />
            </div>
          ))}
        </div>
      )}
    </div>
  );
}

function ProjectActivity({ exps, created }: { exps: ExperimentMeta[] | undefined; created?: string }) {
  if (!exps) return <div className="faint" style={{ fontSize: 12, marginTop: 8 }}>Created {formatDate(created)}</div>;
  const latest = [...exps].sort((a, b) => (Date.parse(b.created ?? "") || 0) - (Date.parse(a.created ?? "") || 0))[0];
  return (
    <div style={{ fontSize: 12.5, marginTop: 8 }} className="muted">
      {exps.length === 0 ? "No experiments yet" : `${exps.length} experiment${exps.length === 1 ? "" : "s"}`}
      {latest && <div className="faint ellipsis">Latest: {latest.name} · {relativeTime(latest.created)}</div>}
      {!latest && <div className="faint">Created {formatDate(created)}</div>}
    </div>
  );
}
