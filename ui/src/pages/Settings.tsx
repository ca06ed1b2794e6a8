// Org settings: members and roles, API keys (shown once), provider secrets (masked), the data
// plane URL with a live connection check from this browser, and erasure of a data subject.
import { useState } from "react";
import { NavLink, useParams } from "react-router-dom";
import { control } from "../api/control";
import type { HealthResult } from "../api/data";
import type { CreatedApiKey, Role } from "../api/types";
import { CopyButton } from "../components/CopyButton";
import { basePath } from "../lib/base";
import { CodeBlock } from "../components/EmptyState";
import { ErrorNotice } from "../components/ErrorNotice";
import { SkeletonRows } from "../components/Skeleton";
import { Erasure } from "./Erasure";
import { formatDate, relativeTime } from "../lib/format";
import { useOrg } from "../state/scope";
import { useSession } from "../state/session";
import { useAction } from "../state/useAction";
import { useAsync } from "../state/useAsync";

const ROLES: Role[] = ["owner", "admin", "editor", "viewer"];

function Members() {
  const { org } = useOrg();
  const { me } = useSession();
  const members = useAsync(() => control.members(org.id), [org.id]);
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("editor");
  const [password, setPassword] = useState("");
  const a = useAction();
  const isAdmin = org.role === "owner" || org.role === "admin";
  return (
    <div className="stack">
      {isAdmin && (
        <form className="card card-body form-row" onSubmit={async (e) => {
          e.preventDefault();
          if (await a.run(() => control.addMember(org.id, { email, role, password: password || undefined }))) {
            setEmail(""); setPassword(""); members.reload();
          }
        }}>
          <label className="field" style={{ flex: 2 }}>Email<input className="input" type="email" required value={email} onChange={(e) => setEmail(e.target.value)} /></label>
          <label className="field">Role<select className="input" value={role} onChange={(e) => setRole(e.target.value as Role)}>{ROLES.map((r) => <option key={r}>{r}</option>)}</select></label>
          <label className="field" style={{ flex: 1 }}>Password (new local account)<input className="input" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} placeholder="optional" /></label>
          <button className="btn primary" disabled={a.busy}>Add member</button>
        </form>
      )}
      {a.error && <div className="notice error">{a.error}</div>}
      {members.loading && <SkeletonRows rows={3} cols={3} />}
      {members.error != null && <ErrorNotice error={members.error} onRetry={members.reload} />}
      {members.data && (
        <div className="card"><table className="simple" data-testid="members">
          <thead><tr><th>Member</th><th>Role</th><th>Joined</th><th /></tr></thead>
          <tbody>{members.data.map((m) => (
            <tr key={m.user_id}>
              <td><div style={{ fontWeight: 550 }}>{m.name || m.email}</div>{m.name && <div className="muted" style={{ fontSize: 12 }}>{m.email}</div>}</td>
              <td>{isAdmin && m.user_id !== me?.user.id ? (
                <select className="input" value={m.role} onChange={async (e) => { if (await a.run(() => control.setMemberRole(org.id, m.user_id, e.target.value as Role))) members.reload(); }}>
                  {ROLES.map((r) => <option key={r}>{r}</option>)}
                </select>
              ) : <span className="badge">{m.role}</span>}</td>
              <td className="muted">{formatDate(m.created)}</td>
              <td style={{ textAlign: "right" }}>{isAdmin && m.user_id !== me?.user.id && (
                <button className="btn small danger" onClick={async () => { if (window.confirm(`Remove ${m.email} from ${org.name}?`) && await a.run(() => control.removeMember(org.id, m.user_id))) members.reload(); }}>Remove</button>
              )}</td>
            </tr>
          ))}</tbody>
        </table></div>
      )}
    </div>
  );
}

function ApiKeys() {
  const { org } = useOrg();
  const keys = useAsync(() => control.apiKeys(org.id), [org.id]);
  const projects = useAsync(() => control.projects(org.id).catch(() => []), [org.id]);
  const [name, setName] = useState("");
  const [projectId, setProjectId] = useState("");
  const [readOnly, setReadOnly] = useState(false);
  const [expiry, setExpiry] = useState("");
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const a = useAction();
  const canWrite = org.role !== "viewer";
  return (
    <div className="stack">
      {created && (
        <div className="notice warn" data-testid="new-key">
          <div className="title">Copy your new API key now — it will not be shown again.</div>
          <div className="row-flex" style={{ marginTop: 6 }}>
            <code className="mono" style={{ background: "var(--bg)", padding: "4px 8px", borderRadius: 4, border: "1px solid var(--border)", flex: 1, overflow: "auto", whiteSpace: "nowrap" }} data-testid="new-key-value">{created.key}</code>
            <CopyButton text={created.key} className="btn" />
            <button className="btn ghost" onClick={() => setCreated(null)}>Done</button>
          </div>
          <div style={{ marginTop: 8, fontSize: 12.5 }}>Give it to the SDK (the Braintrust SDK takes the same key as <code>BRAINTRUST_API_KEY</code>, with <code>BRAINTRUST_APP_URL</code>):</div>
          <CodeBlock code={`export TWINPLANE_API_KEY=${created.key}\nexport TWINPLANE_APP_URL=${window.location.origin + basePath()}`} />
        </div>
      )}
      {canWrite && (
        <form className="card card-body form-row" onSubmit={async (e) => {
          e.preventDefault();
          let k: CreatedApiKey | null = null;
          if (await a.run(async () => { k = await control.createApiKey(org.id, {
            name, project_id: projectId || undefined, read_only: readOnly,
            expires_at: expiry ? new Date(Date.now() + Number(expiry) * 86_400_000).toISOString() : undefined,
          }); })) {
            setCreated(k); setName(""); keys.reload();
          }
        }}>
          <label className="field" style={{ flex: 2 }}>Name<input className="input" required value={name} onChange={(e) => setName(e.target.value)} placeholder="e.g. CI" name="key-name" /></label>
          <label className="field" style={{ flex: 1 }}>Project<select className="input" value={projectId} onChange={(e) => setProjectId(e.target.value)}>
            <option value="">All projects</option>{(projects.data ?? []).map((p) => <option key={p.id} value={p.id}>{p.name}</option>)}</select></label>
          <label className="field">Expires<select className="input" value={expiry} onChange={(e) => setExpiry(e.target.value)}>
            <option value="">Never</option><option value="30">In 30 days</option><option value="90">In 90 days</option><option value="365">In a year</option></select></label>
          <label className="row-flex muted" style={{ fontSize: 13, height: 30 }}><input type="checkbox" checked={readOnly} onChange={(e) => setReadOnly(e.target.checked)} /> Read-only</label>
          <button className="btn primary" disabled={a.busy}>Create key</button>
        </form>
      )}
      {a.error && <div className="notice error">{a.error}</div>}
      {keys.loading && <SkeletonRows rows={3} cols={4} />}
      {keys.error != null && <ErrorNotice error={keys.error} onRetry={keys.reload} />}
      {keys.data && keys.data.length === 0 && <div className="muted">No API keys yet. The SDK needs one to log from your code.</div>}
      {keys.data && keys.data.length > 0 && (
        <div className="card"><table className="simple" data-testid="api-keys">
          <thead><tr><th>Name</th><th>Key</th><th>Scope</th><th>Created</th><th>Last used</th><th>Expires</th><th /></tr></thead>
          <tbody>{keys.data.map((k) => (
            <tr key={k.id} style={k.revoked ? { opacity: 0.5 } : undefined}>
              <td style={{ fontWeight: 550 }}>{k.name}</td>
              <td className="mono">{k.prefix}…{k.last4}</td>
              <td>{k.project_id ? <span className="badge">{projects.data?.find((p) => p.id === k.project_id)?.name ?? "one project"}</span> : <span className="badge">org</span>}
                {k.read_only && <span className="badge warn" style={{ marginLeft: 4 }}>read-only</span>}</td>
              <td className="muted">{formatDate(k.created)}</td>
              <td className="muted">{k.last_used ? relativeTime(k.last_used) : "never"}</td>
              <td className="muted">{k.expires_at ? formatDate(k.expires_at) : "never"}</td>
              <td style={{ textAlign: "right" }}>{k.revoked ? <span className="badge bad">revoked</span> : canWrite && (
                <button className="btn small danger" onClick={async () => { if (window.confirm(`Revoke "${k.name}"? Programs using it stop working.`) && await a.run(() => control.revokeApiKey(org.id, k.id))) keys.reload(); }}>Revoke</button>
              )}</td>
            </tr>
          ))}</tbody>
        </table></div>
      )}
    </div>
  );
}

function Secrets() {
  const { org } = useOrg();
  const secrets = useAsync(() => control.secrets(org.id), [org.id]);
  const [name, setName] = useState("");
  const [provider, setProvider] = useState("openai");
  const [value, setValue] = useState("");
  const a = useAction();
  const isAdmin = org.role === "owner" || org.role === "admin";
  return (
    <div className="stack">
      <p className="muted" style={{ margin: 0 }}>LLM provider keys used by the proxy and LLM-as-judge scorers. Stored encrypted; never shown again in full.</p>
      {isAdmin && (
        <form className="card card-body form-row" onSubmit={async (e) => {
          e.preventDefault();
          if (await a.run(() => control.createSecret(org.id, { name: name || provider.toUpperCase() + "_API_KEY", provider, value }))) { setValue(""); setName(""); secrets.reload(); }
        }}>
          <label className="field">Provider<select className="input" value={provider} onChange={(e) => setProvider(e.target.value)}>
            {["openai", "anthropic", "azure", "google", "mistral", "together", "custom"].map((p) => <option key={p}>{p}</option>)}</select></label>
          <label className="field" style={{ flex: 1 }}>Name<input className="input" value={name} onChange={(e) => setName(e.target.value)} placeholder={`${provider.toUpperCase()}_API_KEY`} /></label>
          <label className="field" style={{ flex: 2 }}>Value<input className="input mono" type="password" autoComplete="off" required value={value} onChange={(e) => setValue(e.target.value)} /></label>
          <button className="btn primary" disabled={a.busy}>Save secret</button>
        </form>
      )}
      {a.error && <div className="notice error">{a.error}</div>}
      {secrets.loading && <SkeletonRows rows={2} cols={3} />}
      {secrets.error != null && <ErrorNotice error={secrets.error} onRetry={secrets.reload} />}
      {secrets.data && secrets.data.length > 0 && (
        <div className="card"><table className="simple" data-testid="secrets">
          <thead><tr><th>Name</th><th>Provider</th><th>Value</th><th>Updated</th><th /></tr></thead>
          <tbody>{secrets.data.map((s) => (
            <tr key={s.id}>
              <td style={{ fontWeight: 550 }}>{s.name}</td><td><span className="badge">{s.provider}</span></td>
              <td className="mono muted">{s.masked}</td><td className="muted">{formatDate(s.updated ?? s.created)}</td>
              <td style={{ textAlign: "right" }}>{isAdmin && <button className="btn small danger" onClick={async () => { if (window.confirm(`Delete secret ${s.name}?`) && await a.run(() => control.deleteSecret(org.id, s.id))) secrets.reload(); }}>Delete</button>}</td>
            </tr>
          ))}</tbody>
        </table></div>
      )}
    </div>
  );
}

function DataPlane() {
  const { org, data } = useOrg();
  const cfg = useAsync(() => control.dataPlane(org.id), [org.id]);
  const [apiUrl, setApiUrl] = useState<string | null>(null);
  const [proxyUrl, setProxyUrl] = useState<string | null>(null);
  const [health, setHealth] = useState<HealthResult | null>(null);
  const [checking, setChecking] = useState(false);
  const [serviceToken, setServiceToken] = useState<string | null>(null);
  const a = useAction();
  const isAdmin = org.role === "owner" || org.role === "admin";
  const check = async () => {
    setChecking(true);
    data.tokens.invalidate(); // a fresh token also proves minting works
    setHealth(await data.health());
    setChecking(false);
  };
  const url = apiUrl ?? cfg.data?.api_url ?? "";
  return (
    <div className="stack">
      <p className="muted" style={{ margin: 0 }}>Your data plane holds every row, trace, dataset and prompt. This browser talks to it directly with a short-lived token; this server never sees the data.</p>
      {cfg.loading && <SkeletonRows rows={2} cols={2} />}
      {cfg.error != null && <ErrorNotice error={cfg.error} onRetry={cfg.reload} />}
      {cfg.data && (
        <form className="card card-body stack" onSubmit={async (e) => {
          e.preventDefault();
          if (await a.run(() => control.setDataPlane(org.id, { api_url: url, proxy_url: proxyUrl ?? cfg.data?.proxy_url ?? null }))) { cfg.reload(); data.tokens.invalidate(); void check(); }
        }}>
          <div className="form-row">
            <label className="field" style={{ flex: 1 }}>Data plane URL<input className="input mono" value={url} onChange={(e) => setApiUrl(e.target.value)} disabled={!isAdmin} name="api_url" placeholder="https://twinplane.internal.example.com" /></label>
            <label className="field" style={{ flex: 1 }}>Proxy URL<input className="input mono" value={proxyUrl ?? cfg.data.proxy_url ?? ""} onChange={(e) => setProxyUrl(e.target.value)} disabled={!isAdmin} placeholder="defaults to the data plane URL" /></label>
            {isAdmin && <button className="btn primary" disabled={a.busy}>Save</button>}
          </div>
          {cfg.data.id && <div className="faint" style={{ fontSize: 12 }}>Data plane id <span className="mono">{cfg.data.id}</span></div>}
          <div className="faint" style={{ fontSize: 12 }}>After changing the URL, reload the page: the browser only lets this app connect to the data planes of your organizations, read when the page loads.</div>
        </form>
      )}
      {a.error && <div className="notice error">{a.error}</div>}
      <div className="card card-body" data-testid="connection">
        <div className="row-flex">
          <span className={`dot ${health ? (health.ok ? "good" : "bad") : "idle"}`} />
          <b>{health ? (health.ok ? "Connected" : "Not reachable from this browser") : "Connection not checked yet"}</b>
          {health && <span className="muted mono" style={{ fontSize: 12 }}>{health.url}{health.status ? ` · HTTP ${health.status}` : ""} · {Math.round(health.ms)} ms</span>}
          <button className="btn" style={{ marginLeft: "auto" }} onClick={check} disabled={checking} data-testid="check-connection">{checking ? "Checking…" : "Check connection"}</button>
        </div>
        {health && !health.ok && (
          <ul className="muted" style={{ margin: "10px 0 0", paddingLeft: 18, fontSize: 13 }}>
            {health.error && <li>{health.error}</li>}
            <li>Is the data plane running, and is <code>{health.url || "its URL"}</code> right?</li>
            <li>CORS: it must allow this origin, <code>{window.location.origin}</code>.</li>
            <li>Private network or VPN: this browser must be able to reach it.</li>
            {health.status === 401 && <li>It refused the token: check that it trusts this control plane's keys (JWKS) and is registered for this org.</li>}
          </ul>
        )}
      </div>
      {isAdmin && (
        <div className="card card-body">
          <div className="row-flex"><b>Service token</b><span className="muted" style={{ fontSize: 13 }}>The data plane uses it to call this control plane.</span>
            <button className="btn danger" style={{ marginLeft: "auto" }} onClick={async () => {
              if (!window.confirm("Rotate the service token? The data plane needs the new one to keep working.")) return;
              await a.run(async () => { const r = await control.rotateServiceToken(org.id); setServiceToken(r.token ?? r.service_token ?? null); });
            }}>Rotate</button></div>
          {serviceToken && (
            <div className="row-flex" style={{ marginTop: 8 }}><code className="mono" style={{ flex: 1, overflow: "auto" }}>{serviceToken}</code><CopyButton text={serviceToken} className="btn" /></div>
          )}
        </div>
      )}
    </div>
  );
}

const TABS = [
  { id: "members", label: "Members", el: <Members /> },
  { id: "api-keys", label: "API keys", el: <ApiKeys /> },
  { id: "secrets", label: "Provider secrets", el: <Secrets /> },
  { id: "data-plane", label: "Data plane", el: <DataPlane /> },
  { id: "erasure", label: "Erasure", el: <Erasure /> },
];

export default function Settings() {
  const { tab = "members" } = useParams();
  const { org } = useOrg();
  const current = TABS.find((t) => t.id === tab) ?? TABS[0];
  return (
    <div className="page flush">
      <div style={{ padding: "16px 20px 10px" }}><h1>Settings</h1><div className="sub muted">{org.name} · you are {org.role}</div></div>
      <div className="tabs">
        {TABS.map((t) => <NavLink key={t.id} to={`/o/${org.id}/settings/${t.id}`} className={t.id === current.id ? "on" : ""}>{t.label}</NavLink>)}
      </div>
      <div style={{ padding: 20, overflow: "auto", maxWidth: 1100 }}>{current.el}</div>
    </div>
  );
}
