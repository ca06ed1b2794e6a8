// Prompts as plain text (for version diffs) and a minimal {{variable}} preview renderer.
import type { Prompt, PromptData } from "../api/types";

/** A stable, human-readable text form of a prompt version: messages first, then options. */
export function promptText(p: Pick<Prompt, "prompt_data"> | null | undefined): string {
  const d: PromptData = p?.prompt_data ?? {};
  const lines: string[] = [];
  const pr = d.prompt;
  if (pr?.type === "chat") {
    for (const m of pr.messages ?? []) {
      lines.push(`[${m.role}]`);
      lines.push(typeof m.content === "string" ? m.content : JSON.stringify(m.content, null, 2));
      lines.push("");
    }
    if (pr.tools) lines.push(`[tools]\n${typeof pr.tools === "string" ? pr.tools : JSON.stringify(pr.tools, null, 2)}\n`);
  } else if (pr?.type === "completion") {
    lines.push(pr.content ?? "", "");
  }
  const o = d.options ?? {};
  if (o.model) lines.push(`model: ${o.model}`);
  for (const [k, v] of Object.entries(o.params ?? {}).sort(([a], [b]) => a.localeCompare(b))) lines.push(`${k}: ${JSON.stringify(v)}`);
  return lines.join("\n") + "\n";
}

/** Substitute {{name}} (and {{{name}}}) with test values; unknown variables stay as they are. */
export function renderTemplate(text: string, vars: Record<string, string>): string {
  return text.replace(/\{\{\{?\s*([A-Za-z_][\w.]*)\s*\}?\}\}/g, (m, name: string) => (name in vars && vars[name] !== "" ? vars[name] : m));
}

/** URL-safe slug from a name. */
export function slugify(name: string): string {
  return name.toLowerCase().trim().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 64) || "prompt";
}
