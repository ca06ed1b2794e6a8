// Settings → Erasure: erase a data subject from the data plane (org admins), and the receipts of
// past erasures. The browser calls the data plane directly; this server never sees the filter.
import { useState } from "react";
import { control } from "../api/control";
import type { ErasureReceipt, Member } from "../api/types";
import { ErrorNotice } from "../components/ErrorNotice";
import { SkeletonRows } from "../components/Skeleton";
import { relativeTime } from "../lib/format";
import { useOrg } from "../state/scope";
import { useAction } from "../state/useAction";
import { useAsync } from "../state/useAsync";

export function Erasure() {
  const { org, data } = useOrg();
  const isAdmin = org.role === "owner" || org.role === "admin";
  const projects = useAsync(() => control.projects(org.id), [org.id]);
  const members = useAsync(() => control.members(org.id).catch(() => [] as Member[]), [org.id]);
  const receipts = useAsync(() => (isAdmin ? data.erasureReceipts() : Promise.resolve([] as ErasureReceipt[])), [data, isAdmin]);
  const [filter, setFilter] = useState("");
  const [projectId, setProjectId] = useState("");
  const { busy, error, run } = useAction();
  const [done, setDone] = useState<ErasureReceipt | null>(null);
  const projectName = (id: string | null) => (id ? projects.data?.find((p) => p.id === id)?.name ?? id : "All projects");
  const who = (r: ErasureReceipt) => {
    const m = members.data?.find((x) => x.user_id === r.requested_by.user_id);
    return m ? m.name || m.email : r.requested_by.key_id ? "an API key" : "–";
  };

  if (!isAdmin) return <div className="notice">Only the organization's owners and admins can erase data.</div>;
  const erase = async () => {
    const scope = projectId ? `project ${projectName(projectId)}` : "every project";
    if (!window.confirm(`Erase every row matching\n\n${filter}\n\nin ${scope}, with the rest of their traces, earlier versions and attachments? This cannot be undone.`)) return;
    setDone(null);
    await run(async () => {
      setDone(await data.erase(filter, projectId || null));
      setFilter("");
      receipts.reload();
    });
  };
  return (
    <div className="stack">
      <p className="muted" style={{ margin: 0 }}>
        Erase everything about one person (a data subject request): the rows a filter matches in logs, experiments and
        datasets, the rest of their traces, every earlier version of them, their search entries and the attachments they
        referenced. The receipt keeps a fingerprint of the filter, never the filter itself.
      </p>
      <form className="card card-body stack" onSubmit={(e) => { e.preventDefault(); void erase(); }}>
        <div className="form-row">
          <label className="field" style={{ flex: 1 }}>Filter naming the person
            <input className="input mono" value={filter} onChange={(e) => setFilter(e.target.value)} name="erasure-filter"
              placeholder="metadata.user_id = 'u-42'" />
          </label>
          <label className="field">Where
            <select className="input" value={projectId} onChange={(e) => setProjectId(e.target.value)} aria-label="Project">
              <option value="">All projects</option>
              {(projects.data ?? []).map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}
            </select>
          </label>
          <button className="btn danger" disabled={busy || !filter.trim()} data-testid="erase">{busy ? "Erasing…" : "Erase…"}</button>
        </div>
      </form>
      {error && <div className="notice error" role="alert">{error}</div>}
      {done && (
        <div className="notice" data-testid="erasure-done">
          Erased {done.rows} row{done.rows === 1 ? "" : "s"} in {done.objects.length} object{done.objects.length === 1 ? "" : "s"} and {done.attachments} attachment{done.attachments === 1 ? "" : "s"}. Receipt <span className="mono">{done.id}</span>.
        </div>
      )}
      <h3 style={{ margin: "8px 0 0" }}>Receipts</h3>
      {receipts.loading && <SkeletonRows rows={3} cols={5} />}
      {receipts.error != null && <ErrorNotice error={receipts.error} onRetry={receipts.reload} />}
      {receipts.data && receipts.data.length === 0 && <div className="muted">No erasures yet.</div>}
      {receipts.data && receipts.data.length > 0 && (
        <div className="card" style={{ overflowX: "auto" }}>
          <table className="simple" data-testid="erasure-receipts">
            <thead><tr><th>Completed</th><th>Where</th><th>By</th><th style={{ textAlign: "right" }}>Rows</th><th style={{ textAlign: "right" }}>Attachments</th><th>Filter fingerprint</th><th>Receipt</th></tr></thead>
            <tbody>
              {receipts.data.map((r) => (
                <tr key={r.id}>
                  <td title={r.completed_at}>{relativeTime(r.completed_at)}</td>
                  <td>{projectName(r.project_id)}</td>
                  <td>{who(r)}</td>
                  <td style={{ textAlign: "right" }}>{r.rows}</td>
                  <td style={{ textAlign: "right" }}>{r.attachments}</td>
                  <td className="mono" title={r.filter_sha256}>{r.filter_sha256.slice(0, 12)}…</td>
                  <td className="mono">{r.id}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
