import { useMemo, useState } from "react";
import { Link, useNavigate } from "react-router-dom";
import { control } from "../api/control";
import { Breadcrumbs } from "../components/AppShell";
import { CodeBlock, EmptyState } from "../components/EmptyState";
import { describeError, ErrorNotice } from "../components/ErrorNotice";
import { SkeletonRows } from "../components/Skeleton";
import { relativeTime } from "../lib/format";
import { useProject } from "../state/scope";
import { useAsync } from "../state/useAsync";

export default function Datasets() {
  const { org, project, data, base } = useProject();
  const navigate = useNavigate();
  const names = useAsync(() => control.objects(project.id, "dataset").catch(() => null), [project.id]);
  const meta = useAsync(() => data.listDatasets(project.id), [project.id, data]);
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);
  const list = useMemo(() => {
    const byId = new Map<string, { id: string; name: string; description?: string | null; created?: string }>();
    for (const n of names.data ?? []) byId.set(n.id, n);
    for (const m of meta.data ?? []) byId.set(m.id, { ...byId.get(m.id), ...m });
    return [...byId.values()].sort((a, b) => (Date.parse(b.created ?? "") || 0) - (Date.parse(a.created ?? "") || 0));
  }, [names.data, meta.data]);

  async function create(e: React.FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      const d = await data.createDataset(project.id, name.trim());
      navigate(`${base}/datasets/${d.id}`);
    } catch (err) {
      setError(describeError(err));
    }
  }

  return (
    <div className="page">
      <Breadcrumbs items={[{ label: project.name, to: `${base}/experiments` }, { label: "Datasets" }]} />
      <div className="page-header">
        <div className="grow"><h1>Datasets</h1><div className="sub">Versioned test cases for your evaluations.</div></div>
        {org.role !== "viewer" && (
          <form className="row-flex" onSubmit={create}>
            <input className="input" placeholder="New dataset name" value={name} onChange={(e) => setName(e.target.value)} aria-label="New dataset name" />
            <button className="btn primary" disabled={!name.trim()}>Create dataset</button>
          </form>
        )}
      </div>
      {error && <div className="notice error" style={{ marginBottom: 12 }}>{error}</div>}
      {meta.error != null && <div style={{ marginBottom: 12 }}><ErrorNotice error={meta.error} onRetry={meta.reload} /></div>}
      {meta.loading && names.loading && <SkeletonRows rows={4} cols={3} />}
      {!meta.loading && list.length === 0 && !meta.error && (
        <EmptyState title="No datasets yet">
          <p>Create one above and add rows by hand, or from code:</p>
          <CodeBlock code={`import twinplane\n\ndataset = twinplane.init_dataset(${JSON.stringify(project.name)}, "my-dataset")\ndataset.insert(input="What is 2+2?", expected="4")`} />
        </EmptyState>
      )}
      {list.length > 0 && (
        <div className="card">
          <table className="simple" data-testid="dataset-list">
            <thead><tr><th>Name</th><th>Description</th><th>Created</th></tr></thead>
            <tbody>
              {list.map((d) => (
                <tr key={d.id} className="clickable" onClick={() => navigate(`${base}/datasets/${d.id}`)}>
                  <td><Link to={`${base}/datasets/${d.id}`} style={{ fontWeight: 550 }}>{d.name}</Link></td>
                  <td className="muted">{d.description ?? ""}</td>
                  <td className="muted">{relativeTime(d.created)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
