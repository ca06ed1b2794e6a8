// Recognising chat transcripts (OpenAI/Anthropic-style role/content arrays) inside span
// input/output so they can be shown as a conversation instead of raw JSON.
import type { ChatMessage } from "../api/types";

function isMessage(v: unknown): v is ChatMessage {
  return !!v && typeof v === "object" && !Array.isArray(v) && typeof (v as { role?: unknown }).role === "string"
    && ("content" in (v as object) || "tool_calls" in (v as object));
}

/** The messages if `value` is a transcript: an array of messages, {messages: [...]}, or one choice list. */
export function asChatMessages(value: unknown): ChatMessage[] | null {
  if (Array.isArray(value) && value.length > 0 && value.every(isMessage)) return value;
  if (value && typeof value === "object" && !Array.isArray(value)) {
    const o = value as { messages?: unknown; choices?: unknown };
    if (Array.isArray(o.messages) && o.messages.length > 0 && o.messages.every(isMessage)) return o.messages;
    if (Array.isArray(o.choices) && o.choices.length > 0) {
      const msgs = o.choices.map((c) => (c as { message?: unknown })?.message);
      if (msgs.every(isMessage)) return msgs as ChatMessage[];
    }
  }
  if (Array.isArray(value) && value.length > 0) {
    const msgs = value.map((c) => (c as { message?: unknown })?.message);
    if (msgs.every(isMessage)) return msgs as ChatMessage[];
  }
  return null;
}

/** Content parts as text blocks; non-text parts (images, tool use) stay JSON. */
export function contentParts(content: unknown): { kind: "text" | "json"; value: unknown }[] {
  if (content === null || content === undefined) return [];
  if (typeof content === "string") return [{ kind: "text", value: content }];
  if (Array.isArray(content)) {
    return content.map((p) => {
      const part = p as { type?: unknown; text?: unknown };
      if (part && typeof part === "object" && typeof part.text === "string" && (part.type === "text" || part.type === undefined)) {
        return { kind: "text" as const, value: part.text };
      }
      return { kind: "json" as const, value: p };
    });
  }
  return [{ kind: "json", value: content }];
}

/** Mustache-style {{variables}} used by a prompt, in order of first appearance. */
export function templateVariables(texts: string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const t of texts) {
    for (const m of t.matchAll(/\{\{\{?\s*([#^/]?)\s*([A-Za-z_][\w.]*)\s*\}?\}\}/g)) {
      const name = m[2];
      if (m[1] === "/" || seen.has(name)) continue;
      seen.add(name);
      out.push(name);
    }
  }
  return out;
}
