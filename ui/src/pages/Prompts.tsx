import { useMemo } from "react";
import { Link, useNavigate } from "react-router-dom";
import { control } from "../api/control";
import { Breadcrumbs } from "../components/AppShell";
import { CodeBlock, EmptyState } from "../components/EmptyState";
import { ErrorNotice } from "../components/ErrorNotice";
import { SkeletonRows } from "../components/Skeleton";
import { relativeTime } from "../lib/format";
import { useProject } from "../state/scope";
import { useAsync } from "../state/useAsync";

export default function Prompts() {
  const { org, project, data, base } = useProject();
  const navigate = useNavigate();
  const names = useAsync(() => control.objects(project.id, "prompt").catch(() => null), [project.id]);
  const prompts = useAsync(() => data.listPrompts(project.id), [project.id, data]);
  const list = useMemo(() => {
    const byId = new Map<string, { id: string; name: string; slug?: string | null; description?: string | null; created?: string; model?: string; version?: string }>();
    for (const n of names.data ?? []) byId.set(n.id, n);
    for (const p of prompts.data ?? []) byId.set(p.id, { ...byId.get(p.id), ...p, model: p.prompt_data?.options?.model, version: p._xact_id });
    return [...byId.values()].sort((a, b) => a.name.localeCompare(b.name));
  }, [names.data, prompts.data]);
  return (
    <div className="page">
      <Breadcrumbs items={[{ label: project.name, to: `${base}/experiments` }, { label: "Prompts" }]} />
      <div className="page-header">
        <div className="grow"><h1>Prompts</h1><div className="sub">Versioned prompt templates your code loads by slug.</div></div>
        {org.role !== "viewer" && <Link className="btn primary" to={`${base}/prompts/new`}>+ New prompt</Link>}
      </div>
      {prompts.error != null && <div style={{ marginBottom: 12 }}><ErrorNotice error={prompts.error} onRetry={prompts.reload} /></div>}
      {prompts.loading && <SkeletonRows rows={4} cols={4} />}
      {!prompts.loading && !prompts.error && list.length === 0 && (
        <EmptyState title="No prompts yet" action={<Link className="btn primary" to={`${base}/prompts/new`}>Create a prompt</Link>}>
          <p>Keep prompts here, version every change, and load them from code:</p>
          <CodeBlock code={`import twinplane\n\nprompt = twinplane.load_prompt(${JSON.stringify(project.name)}, slug="summarize")\nmessages = prompt.build(text="...")`} />
        </EmptyState>
      )}
      {list.length > 0 && (
        <div className="card">
          <table className="simple" data-testid="prompt-list">
            <thead><tr><th>Name</th><th>Slug</th><th>Model</th><th>Description</th><th>Created</th></tr></thead>
            <tbody>
              {list.map((p) => (
                <tr key={p.id} className="clickable" onClick={() => navigate(`${base}/prompts/${p.id}`)}>
                  <td><Link to={`${base}/prompts/${p.id}`} style={{ fontWeight: 550 }}>{p.name}</Link></td>
                  <td className="mono muted">{p.slug ?? ""}</td>
                  <td>{p.model ? <span className="badge">{p.model}</span> : <span className="faint">–</span>}</td>
                  <td className="muted">{p.description ?? ""}</td>
                  <td className="muted">{relativeTime(p.created)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
