// One-line text previews of arbitrary JSON values for table cells. Always plain text: the
// caller renders it as a React text node.

/** A compact single-line preview of any JSON value, at most `max` characters. */
export function previewValue(value: unknown, max = 300): string {
  if (value === undefined || value === null) return "";
  let s: string;
  if (typeof value === "string") s = value;
  else if (typeof value === "number" || typeof value === "boolean") s = String(value);
  else {
    const chat = lastMessageText(value);
    if (chat !== null) s = chat;
    else {
      try {
        s = JSON.stringify(value, (_k, v) => v, 0) ?? "";
      } catch {
        s = String(value);
      }
    }
  }
  s = s.replace(/\s+/g, " ").trim();
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** For a chat transcript, the last message's text is the most telling preview. */
function lastMessageText(value: unknown): string | null {
  const msgs = Array.isArray(value)
    ? value
    : value && typeof value === "object" && Array.isArray((value as { messages?: unknown }).messages)
      ? (value as { messages: unknown[] }).messages
      : null;
  if (!msgs || msgs.length === 0) return null;
  const last = msgs[msgs.length - 1] as { role?: unknown; content?: unknown };
  if (!last || typeof last !== "object" || typeof last.role !== "string") return null;
  const c = last.content;
  if (typeof c === "string") return `${last.role}: ${c}`;
  return null;
}

/** Stable pretty JSON for diffs and editors. */
export function prettyJson(value: unknown): string {
  if (value === undefined) return "";
  if (typeof value === "string") return value;
  try {
    return JSON.stringify(value, null, 2);
  } catch {
    return String(value);
  }
}
