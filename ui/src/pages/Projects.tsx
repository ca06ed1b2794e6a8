import { useState } from "react";
import { Link, useNavigate } from "react-router-dom";
import { control } from "../api/control";
import { EmptyState, LoggingSnippet } from "../components/EmptyState";
import { describeError, ErrorNotice } from "../components/ErrorNotice";
import { SkeletonCards } from "../components/Skeleton";
import { formatDate } from "../lib/format";
import { useOrg } from "../state/scope";
import { useAsync } from "../state/useAsync";

export default function Projects() {
  const { org } = useOrg();
  const projects = useAsync(() => control.projects(org.id), [org.id]);
  const [name, setName] = useState("");
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [q, setQ] = useState("");
  const navigate = useNavigate();
  const canWrite = org.role !== "viewer";

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
            <Link key={p.id} to={`/o/${org.id}/p/${p.id}/experiments`} className="card card-body" style={{ color: "inherit", textDecoration: "none" }}>
              <div className="row-flex">
                <span className="avatar" style={{ background: "var(--bg-muted)", color: "var(--text-muted)" }}>{p.name.slice(0, 1).toUpperCase()}</span>
                <span style={{ fontWeight: 600 }} className="ellipsis">{p.name}</span>
              </div>
              <div className="faint" style={{ fontSize: 12, marginTop: 8 }}>Created {formatDate(p.created)}</div>
            </Link>
          ))}
        </div>
      )}
    </div>
  );
}
