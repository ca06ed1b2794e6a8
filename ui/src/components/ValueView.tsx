// Shows a span field the most readable way: a conversation for chat transcripts, plain
// text for strings, a JSON tree otherwise. The user can always switch to raw JSON.
import { useState } from "react";
import { asChatMessages, contentParts } from "../lib/chat";
import type { ChatMessage } from "../api/types";
import { JsonView } from "./JsonView";

function Message({ m }: { m: ChatMessage }) {
  const parts = contentParts(m.content);
  return (
    <div className={`msg ${m.role}`}>
      <div className="role">{m.role}{m.name ? ` · ${m.name}` : ""}</div>
      <div className="content">
        {parts.length === 0 && !m.tool_calls && <span className="faint">(empty)</span>}
        {parts.map((p, i) =>
          p.kind === "text" ? <div key={i} className="text-value">{String(p.value)}</div> : <JsonView key={i} value={p.value} />,
        )}
        {m.tool_calls !== undefined && m.tool_calls !== null && (
          <div style={{ marginTop: 6 }}><div className="faint" style={{ fontSize: 11 }}>tool calls</div><JsonView value={m.tool_calls} /></div>
        )}
      </div>
    </div>
  );
}

export function ChatView({ messages }: { messages: ChatMessage[] }) {
  return <div className="chat">{messages.map((m, i) => <Message key={i} m={m} />)}</div>;
}

export function ValueView({ value }: { value: unknown }) {
  const chat = asChatMessages(value);
  const [raw, setRaw] = useState(false);
  if (value === undefined || value === null) return <span className="faint">—</span>;
  const toggle = (chat || typeof value === "string") && (
    <button className="btn ghost small" style={{ float: "right" }} onClick={() => setRaw((r) => !r)}>{raw ? "Pretty" : "JSON"}</button>
  );
  if (raw) return <div>{toggle}<JsonView value={value} /></div>;
  if (chat) return <div>{toggle}<ChatView messages={chat} /></div>;
  if (typeof value === "string") return <div>{toggle}<div className="text-value">{value}</div></div>;
  return <JsonView value={value} />;
}
