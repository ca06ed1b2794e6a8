// Prompt editor: messages with {{variables}}, model options, versions, and a diff between
// any two versions. Saving posts a new version to the data plane.
import { useEffect, useMemo, useState } from "react";
import { useNavigate, useParams } from "react-router-dom";
import type { ChatMessage, Prompt, PromptData } from "../api/types";
import { Breadcrumbs } from "../components/AppShell";
import { DeleteObjectButton } from "../components/DeleteObjectButton";
import { describeError, ErrorNotice } from "../components/ErrorNotice";
import { SkeletonRows } from "../components/Skeleton";
import { TextDiffView } from "../components/TextDiffView";
import { templateVariables } from "../lib/chat";
import { formatTime, formatXact } from "../lib/format";
import { promptText, renderTemplate, slugify } from "../lib/promptText";
import { useProject } from "../state/scope";
import { useAsync } from "../state/useAsync";

const ROLES = ["system", "user", "assistant", "tool"];
const MODELS = ["gpt-4o", "gpt-4o-mini", "gpt-4.1", "o3-mini", "claude-3-5-sonnet-latest", "claude-3-5-haiku-latest"];

interface Draft {
  name: string; slug: string; description: string; type: "chat" | "completion";
  messages: ChatMessage[]; content: string; model: string; temperature: string; maxTokens: string; extraParams: string;
}

function toDraft(p: Prompt | null): Draft {
  const d: PromptData = p?.prompt_data ?? {};
  const params = { ...(d.options?.params ?? {}) } as Record<string, unknown>;
  const temperature = params.temperature;
  const maxTokens = params.max_tokens;
  delete params.temperature;
  delete params.max_tokens;
  return {
    name: p?.name ?? "", slug: p?.slug ?? "", description: p?.description ?? "",
    type: d.prompt?.type === "completion" ? "completion" : "chat",
    messages: d.prompt?.type === "chat" ? d.prompt.messages.map((m) => ({ ...m })) : [{ role: "system", content: "" }, { role: "user", content: "{{input}}" }],
    content: d.prompt?.type === "completion" ? d.prompt.content : "",
    model: d.options?.model ?? "gpt-4o-mini",
    temperature: temperature === undefined ? "" : String(temperature),
    maxTokens: maxTokens === undefined ? "" : String(maxTokens),
    extraParams: Object.keys(params).length ? JSON.stringify(params, null, 2) : "",
  };
}

function toPromptData(d: Draft): { data: PromptData } | { error: string } {
  let extra: Record<string, unknown> = {};
  if (d.extraParams.trim()) {
    try {
      extra = JSON.parse(d.extraParams);
      if (!extra || typeof extra !== "object" || Array.isArray(extra)) return { error: "Other parameters must be a JSON object." };
    } catch (e) {
      return { error: `Other parameters are not valid JSON: ${(e as Error).message}` };
    }
  }
  const params: Record<string, unknown> = { ...extra };
  if (d.temperature.trim()) {
    const t = Number(d.temperature);
    if (!Number.isFinite(t) || t < 0 || t > 2) return { error: "Temperature is a number from 0 to 2." };
    params.temperature = t;
  }
  if (d.maxTokens.trim()) {
    const m = Number(d.maxTokens);
    if (!Number.isInteger(m) || m <= 0) return { error: "Max tokens is a positive whole number." };
    params.max_tokens = m;
  }
  return {
    data: {
      prompt: d.type === "chat" ? { type: "chat", messages: d.messages, tools: null } : { type: "completion", content: d.content },
      options: { model: d.model, params },
    },
  };
}

export default function PromptEditor() {
  const { promptId } = useParams();
  const { org, project, data, base } = useProject();
  const navigate = useNavigate();
  const isNew = !promptId;
  const prompt = useAsync(() => (promptId ? data.getPrompt(promptId) : Promise.resolve(null)), [promptId, data]);
  const versions = useAsync(() => (promptId ? data.promptVersions(promptId) : Promise.resolve([] as Prompt[])), [promptId, data]);
  const [draft, setDraft] = useState<Draft>(toDraft(null));
  const [loadedFrom, setLoadedFrom] = useState<string | null>(null);
  const [vars, setVars] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [diffPick, setDiffPick] = useState<string[]>([]);
  const [preview, setPreview] = useState(false);
  // Unsaved edits win over a (re)load that lands while the user is typing.
  const [dirty, setDirty] = useState(false);
  const readOnly = org.role === "viewer";

  useEffect(() => {
    if (prompt.data && !dirty) {
      setDraft(toDraft(prompt.data));
      setLoadedFrom(prompt.data._xact_id ?? null);
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [prompt.data]);

  const texts = draft.type === "chat" ? draft.messages.map((m) => (typeof m.content === "string" ? m.content : "")) : [draft.content];
  const variables = useMemo(() => templateVariables(texts), [texts.join("\u0000")]); // eslint-disable-line react-hooks/exhaustive-deps
  const vlist = [...(versions.data ?? [])].sort((a, b) => ((a._xact_id ?? "") < (b._xact_id ?? "") ? 1 : -1));
  const upd = (patch: Partial<Draft>) => { setDraft((d) => ({ ...d, ...patch })); setSaved(false); setDirty(true); };
  const setMsg = (i: number, patch: Partial<ChatMessage>) => upd({ messages: draft.messages.map((m, j) => (j === i ? { ...m, ...patch } : m)) });

  async function save() {
    const pd = toPromptData(draft);
    if ("error" in pd) return setError(pd.error);
    if (!draft.name.trim()) return setError("Give the prompt a name.");
    setSaving(true);
    setError(null);
    try {
      const saved = await data.savePrompt({
        project_id: project.id, name: draft.name.trim(), slug: draft.slug.trim() || slugify(draft.name),
        description: draft.description || null, prompt_data: pd.data,
      });
      setSaved(true);
      setDirty(false);
      setLoadedFrom(saved._xact_id ?? null);
      if (isNew || saved.id !== promptId) navigate(`${base}/prompts/${saved.id}`, { replace: true });
      else {
        prompt.reload();
        versions.reload();
      }
    } catch (e) {
      setError(describeError(e));
    } finally {
      setSaving(false);
    }
  }

  const diffA = vlist.find((v) => v._xact_id === diffPick[0]);
  const diffB = vlist.find((v) => v._xact_id === diffPick[1]);
  if (prompt.loading && !isNew) return <div className="page"><SkeletonRows rows={6} cols={2} /></div>;
  if (prompt.error) return <div className="page"><ErrorNotice error={prompt.error} onRetry={prompt.reload} /></div>;

  return (
    <div className="page flush" style={{ flexDirection: "row" }}>
      <div style={{ flex: 1, minWidth: 0, overflow: "auto", padding: "16px 24px 32px" }}>
        <Breadcrumbs items={[{ label: project.name, to: `${base}/experiments` }, { label: "Prompts", to: `${base}/prompts` }, { label: isNew ? "New" : draft.name || "Prompt" }]} />
        <div className="page-header">
          <div className="grow"><h1>{isNew ? "New prompt" : draft.name}</h1>
            {loadedFrom && <div className="sub">Editing from version <span className="mono">{formatXact(loadedFrom)}</span></div>}
          </div>
          {saved && <span className="good">Saved as a new version</span>}
          {!readOnly && <button className="btn primary" onClick={save} disabled={saving} data-testid="save-prompt">{saving ? "Saving…" : "Save version"}</button>}
          {!readOnly && !isNew && prompt.data && <DeleteObjectButton data={data} objectType="prompt" id={prompt.data.id} name={prompt.data.name} then={`${base}/prompts`} />}
        </div>
        {error && <div className="notice error" style={{ marginBottom: 12 }}>{error}</div>}
        <div className="form-row" style={{ marginBottom: 14 }}>
          <label className="field" style={{ flex: 2 }}>Name<input className="input" value={draft.name} onChange={(e) => upd({ name: e.target.value, slug: isNew && (!draft.slug || draft.slug === slugify(draft.name)) ? slugify(e.target.value) : draft.slug })} name="name" /></label>
          <label className="field" style={{ flex: 1 }}>Slug<input className="input mono" value={draft.slug} onChange={(e) => upd({ slug: e.target.value })} disabled={!isNew} name="slug" /></label>
          <label className="field" style={{ flex: 3 }}>Description<input className="input" value={draft.description} onChange={(e) => upd({ description: e.target.value })} /></label>
        </div>
        <div className="form-row" style={{ marginBottom: 14 }}>
          <label className="field">Model
            <input className="input" list="models" value={draft.model} onChange={(e) => upd({ model: e.target.value })} style={{ width: 220 }} />
            <datalist id="models">{MODELS.map((m) => <option key={m} value={m} />)}</datalist>
          </label>
          <label className="field">Temperature<input className="input" value={draft.temperature} onChange={(e) => upd({ temperature: e.target.value })} placeholder="default" style={{ width: 100 }} /></label>
          <label className="field">Max tokens<input className="input" value={draft.maxTokens} onChange={(e) => upd({ maxTokens: e.target.value })} placeholder="default" style={{ width: 100 }} /></label>
          <label className="field" style={{ flex: 1 }}>Other parameters (JSON)<input className="input mono" value={draft.extraParams} onChange={(e) => upd({ extraParams: e.target.value })} placeholder='{"top_p": 0.9}' /></label>
          <div className="segmented" style={{ marginBottom: 1 }}>
            <button className={draft.type === "chat" ? "on" : ""} onClick={() => upd({ type: "chat" })}>Chat</button>
            <button className={draft.type === "completion" ? "on" : ""} onClick={() => upd({ type: "completion" })}>Completion</button>
          </div>
        </div>
        <div className="row-flex" style={{ marginBottom: 8 }}>
          <h3 style={{ margin: 0 }}>{draft.type === "chat" ? "Messages" : "Prompt"}</h3>
          <button className={`btn small${preview ? " active" : ""}`} style={{ marginLeft: "auto" }} onClick={() => setPreview(!preview)}>{preview ? "Edit" : "Preview with variables"}</button>
        </div>
        {draft.type === "chat" ? (
          <div className="stack" style={{ gap: 10 }}>
            {draft.messages.map((m, i) => (
              <div key={i} className="msg">
                <div className="role row-flex" style={{ textTransform: "none" }}>
                  <select className="input" style={{ height: 24, fontSize: 12 }} value={m.role} onChange={(e) => setMsg(i, { role: e.target.value })} disabled={preview}>
                    {ROLES.map((r) => <option key={r} value={r}>{r}</option>)}
                  </select>
                  {!preview && <button className="btn ghost small" style={{ marginLeft: "auto" }} onClick={() => upd({ messages: draft.messages.filter((_, j) => j !== i) })}>Remove</button>}
                </div>
                {preview ? (
                  <div className="content text-value">{renderTemplate(typeof m.content === "string" ? m.content : JSON.stringify(m.content), vars)}</div>
                ) : (
                  <textarea className="input mono" style={{ width: "100%", border: 0, borderRadius: 0 }} rows={Math.min(14, Math.max(3, String(m.content ?? "").split("\n").length + 1))}
                    value={typeof m.content === "string" ? m.content : JSON.stringify(m.content)} onChange={(e) => setMsg(i, { content: e.target.value })} aria-label={`message ${i + 1}`} />
                )}
              </div>
            ))}
            {!preview && <div><button className="btn small" onClick={() => upd({ messages: [...draft.messages, { role: draft.messages.at(-1)?.role === "user" ? "assistant" : "user", content: "" }] })}>+ Add message</button></div>}
          </div>
        ) : preview ? (
          <div className="card card-body text-value">{renderTemplate(draft.content, vars)}</div>
        ) : (
          <textarea className="input mono" style={{ width: "100%" }} rows={10} value={draft.content} onChange={(e) => upd({ content: e.target.value })} />
        )}
        <div className="card" style={{ marginTop: 16 }}>
          <div className="card-header">Variables <span className="faint" style={{ fontWeight: 400 }}>— write <code>{"{{name}}"}</code> in a message</span></div>
          <div className="card-body">
            {variables.length === 0 ? <span className="faint">No variables yet.</span> : (
              <div style={{ display: "grid", gridTemplateColumns: "repeat(auto-fill, minmax(220px, 1fr))", gap: 10 }}>
                {variables.map((v) => (
                  <label key={v} className="field"><span className="mono">{v}</span>
                    <input className="input" placeholder="test value" value={vars[v] ?? ""} onChange={(e) => setVars((x) => ({ ...x, [v]: e.target.value }))} />
                  </label>
                ))}
              </div>
            )}
          </div>
        </div>
        <div className="placeholder-box" style={{ marginTop: 16 }} data-testid="playground-slot">
          <b>Playground</b> — coming next: run this prompt on test values or a dataset through the LLM proxy and compare outputs across versions and models.
        </div>
        {diffA && diffB && (
          <div className="card" style={{ marginTop: 16 }} data-testid="prompt-diff">
            <div className="card-header">Diff <span className="mono faint" style={{ fontWeight: 400 }}>{formatXact(diffB._xact_id)} → {formatXact(diffA._xact_id)}</span>
              <button className="btn ghost small" style={{ marginLeft: "auto" }} onClick={() => setDiffPick([])}>Close</button></div>
            <div className="card-body"><TextDiffView before={promptText(diffB)} after={promptText(diffA)} mode="lines" /></div>
          </div>
        )}
      </div>
      {!isNew && (
        <aside style={{ width: 260, borderLeft: "1px solid var(--border)", overflow: "auto", background: "var(--bg-subtle)" }} data-testid="prompt-versions">
          <div style={{ padding: "16px 14px 4px" }}><h3>Versions</h3>
            <div className="faint" style={{ fontSize: 12 }}>Tick two to diff them.</div></div>
          {versions.error != null && <div style={{ padding: 10 }}><ErrorNotice error={versions.error} /></div>}
          {vlist.map((v, i) => (
            <div key={v._xact_id ?? i} className="row-flex" style={{ padding: "6px 14px", borderBottom: "1px solid var(--border)" }}>
              <input type="checkbox" checked={diffPick.includes(v._xact_id ?? "")} aria-label={`diff ${v._xact_id}`}
                onChange={(e) => setDiffPick((p) => (e.target.checked ? [...p, v._xact_id ?? ""].slice(-2).sort((a, b) => (a < b ? 1 : -1)) : p.filter((x) => x !== v._xact_id)))} />
              <button className="btn ghost" style={{ flex: 1, height: "auto", padding: "2px 4px", flexDirection: "column", alignItems: "flex-start", gap: 0 }}
                onClick={() => { setDraft(toDraft(v)); setLoadedFrom(v._xact_id ?? null); setDirty(true); }} title="Load into the editor">
                <span style={{ fontSize: 12.5 }}>{i === 0 ? "Latest" : formatTime(v.created)}</span>
                <span className="mono faint" style={{ fontSize: 11 }}>{formatXact(v._xact_id)}</span>
              </button>
            </div>
          ))}
        </aside>
      )}
    </div>
  );
}
