// Editing JSON values in text boxes: what the user types is JSON when it parses, and a
// plain string otherwise, so typing a sentence "just works".

export function toEditable(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") {
    // A string that would parse as JSON (e.g. "42") must stay quoted to round-trip.
    try {
      JSON.parse(value);
      return JSON.stringify(value);
    } catch {
      return value;
    }
  }
  return JSON.stringify(value, null, 2);
}

export function fromEditable(text: string): unknown {
  const t = text.trim();
  if (t === "") return null;
  try {
    return JSON.parse(t);
  } catch {
    return text;
  }
}

/** Metadata must be a JSON object (or empty). */
export function parseMetadata(text: string): { ok: true; value: Record<string, unknown> | null } | { ok: false; error: string } {
  const t = text.trim();
  if (!t) return { ok: true, value: null };
  try {
    const v = JSON.parse(t);
    if (v && typeof v === "object" && !Array.isArray(v)) return { ok: true, value: v as Record<string, unknown> };
    return { ok: false, error: "Metadata must be a JSON object, like {\"source\": \"manual\"}." };
  } catch (e) {
    return { ok: false, error: `Metadata is not valid JSON: ${(e as Error).message}` };
  }
}

export function parseTags(text: string): string[] | null {
  const tags = Array.from(new Set(text.split(",").map((t) => t.trim()).filter(Boolean)));
  return tags.length ? tags : null;
}
