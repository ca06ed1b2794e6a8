// One-line text previews of arbitrary JSON values for table cells. Always plain text: the
// caller renders it as a React text node.

/**
 * Compact JSON of `value`, stopping soon after `limit` characters: a table cell never needs
 * more, and serializing a multi-megabyte input for every visible row would stall scrolling.
 */
export function boundedJson(value: unknown, limit: number): string {
  const out: string[] = [];
  let len = 0;
  const emit = (s: string) => {
    out.push(s);
    len += s.length;
  };
  const walk = (v: unknown, depth: number): void => {
    if (len > limit) return;
    if (v === null || v === undefined) return emit("null");
    if (typeof v === "string") return emit(JSON.stringify(v.length > limit ? v.slice(0, limit) : v));
    if (typeof v === "number" || typeof v === "boolean") return emit(String(v));
    if (typeof v !== "object" || depth > 20) return emit('"…"');
    if (Array.isArray(v)) {
      emit("[");
      for (let i = 0; i < v.length && len <= limit; i++) {
        if (i) emit(",");
        walk(v[i], depth + 1);
      }
      return emit("]");
    }
    emit("{");
    let first = true;
    for (const k in v as Record<string, unknown>) {
      if (len > limit) break;
      if (!first) emit(",");
      first = false;
      emit(`${JSON.stringify(k)}:`);
      walk((v as Record<string, unknown>)[k], depth + 1);
    }
    emit("}");
  };
  walk(value, 0);
  return out.join("");
}

const cache = new WeakMap<object, Map<number, string>>();

/** A compact single-line preview of any JSON value, at most `max` characters. */
export function previewValue(value: unknown, max = 300): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "object") {
    const hit = cache.get(value)?.get(max);
    if (hit !== undefined) return hit;
  }
  let s: string;
  if (typeof value === "string") s = value.length > max * 4 ? value.slice(0, max * 4) : value;
  else if (typeof value === "number" || typeof value === "boolean") s = String(value);
  else {
    const chat = lastMessageText(value);
    s = chat !== null ? chat.slice(0, max * 4) : boundedJson(value, max * 2);
  }
  s = s.replace(/\s+/g, " ").trim();
  const result = s.length > max ? `${s.slice(0, max - 1)}…` : s;
  if (typeof value === "object") {
    const m = cache.get(value) ?? new Map<number, string>();
    m.set(max, result);
    cache.set(value, m);
  }
  return result;
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
