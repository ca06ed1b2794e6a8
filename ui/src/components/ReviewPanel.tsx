// Human review on any row or span: set scores and leave a comment. Saved as a merge row
// with the scores plus a separate comment row pointing at it (contracts §4).
import { useEffect, useState } from "react";
import type { DataClient } from "../api/data";
import type { Row, RowObjectType } from "../api/types";
import { formatTime } from "../lib/format";
import { reviewEvents } from "../lib/reviewEvents";
import { describeError } from "./ErrorNotice";

export function Comments({ comments }: { comments: Row[] }) {
  if (comments.length === 0) return null;
  return (
    <div className="stack" style={{ gap: 6, marginBottom: 10 }}>
      {comments.map((c) => (
        <div key={c.id} className="card" style={{ padding: "8px 10px" }}>
          <div className="faint" style={{ fontSize: 11.5, marginBottom: 2 }}>{formatTime(c.created)}</div>
          <div className="text-value">{String(c.comment?.text ?? "")}</div>
        </div>
      ))}
    </div>
  );
}

export function ReviewPanel({ client, objectType, objectId, row, knownScores = [], onSaved }: {
  client: DataClient; objectType: RowObjectType; objectId: string; row: Row; knownScores?: string[];
  onSaved?: (merged: Row, comment: Row | null) => void;
}) {
  const names = Array.from(new Set([...knownScores, ...Object.keys(row.scores ?? {})]));
  const [draft, setDraft] = useState<Record<string, string>>({});
  const [newName, setNewName] = useState("");
  const [comment, setComment] = useState("");
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    setDraft({});
    setComment("");
    setError(null);
    setSaved(false);
  }, [row.id]);

  const parsed: Record<string, number> = {};
  let invalid = false;
  for (const [k, v] of Object.entries(draft)) {
    if (v.trim() === "") continue;
    const n = Number(v) / 100;
    if (!Number.isFinite(n) || n < 0 || n > 1) invalid = true;
    else parsed[k] = n;
  }

  async function save() {
    const events = reviewEvents(row, parsed, comment, new Date());
    if (events.length === 0) return;
    setSaving(true);
    setError(null);
    try {
      await client.insert(objectType, objectId, events);
      const commentRow = (events.find((e) => e.comment) as Row | undefined) ?? null;
      onSaved?.({ ...row, scores: { ...(row.scores ?? {}), ...parsed } }, commentRow);
      setDraft({});
      setComment("");
      setSaved(true);
    } catch (e) {
      setError(describeError(e));
    } finally {
      setSaving(false);
    }
  }

  return (
    <div className="stack" style={{ gap: 8 }} data-testid="review-panel">
      <div style={{ display: "grid", gridTemplateColumns: "repeat(auto-fill, minmax(170px, 1fr))", gap: 8 }}>
        {names.map((n) => (
          <label key={n} className="field">
            <span className="ellipsis">{n} <span className="faint">(%)</span></span>
            <input
              className="input"
              inputMode="decimal"
              placeholder={row.scores?.[n] != null ? String(Math.round((row.scores[n] as number) * 1000) / 10) : "0–100"}
              value={draft[n] ?? ""}
              onChange={(e) => setDraft((d) => ({ ...d, [n]: e.target.value }))}
              aria-label={`score ${n}`}
            />
          </label>
        ))}
        <div className="field">
          <span>New score</span>
          <div className="row-flex">
            <input className="input" style={{ width: "100%" }} placeholder="name" value={newName} onChange={(e) => setNewName(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === "Enter" && newName.trim()) {
                  setDraft((d) => ({ ...d, [newName.trim()]: d[newName.trim()] ?? "" }));
                  setNewName("");
                }
              }} aria-label="new score name" />
            <button className="btn small" disabled={!newName.trim()} onClick={() => {
              setDraft((d) => ({ ...d, [newName.trim()]: d[newName.trim()] ?? "" }));
              setNewName("");
            }}>Add</button>
          </div>
        </div>
        {Object.keys(draft).filter((k) => !names.includes(k)).map((n) => (
          <label key={n} className="field">
            <span className="ellipsis">{n} <span className="faint">(%)</span></span>
            <input className="input" inputMode="decimal" placeholder="0–100" value={draft[n]} autoFocus
              onChange={(e) => setDraft((d) => ({ ...d, [n]: e.target.value }))} aria-label={`score ${n}`} />
          </label>
        ))}
      </div>
      <textarea className="input" rows={2} placeholder="Add a comment…" value={comment} onChange={(e) => setComment(e.target.value)}
        aria-label="comment" onKeyDown={(e) => { if (e.key === "Enter" && (e.metaKey || e.ctrlKey)) void save(); }} />
      <div className="row-flex">
        <button className="btn primary" disabled={saving || invalid || (Object.keys(parsed).length === 0 && !comment.trim())} onClick={save}>
          {saving ? "Saving…" : "Save review"}
        </button>
        {invalid && <span className="bad" style={{ fontSize: 12.5 }}>Scores are percentages from 0 to 100.</span>}
        {saved && !error && <span className="good" style={{ fontSize: 12.5 }}>Saved</span>}
        {error && <span className="bad" style={{ fontSize: 12.5 }}>{error}</span>}
      </div>
    </div>
  );
}
