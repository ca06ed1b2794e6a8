// Rows to import into a dataset, from a JSONL file (one object per line) or a JSON array.
// Each object may hold input, expected (or output), metadata, tags and id; any other object
// is taken as the input itself.
import type { Row } from "../api/types";

export interface ImportResult { rows: Partial<Row>[]; errors: string[] }

const KNOWN = new Set(["id", "input", "expected", "output", "metadata", "tags"]);

function toRow(v: unknown, where: string, errors: string[]): Partial<Row> | null {
  if (!v || typeof v !== "object" || Array.isArray(v)) {
    errors.push(`${where}: expected a JSON object`);
    return null;
  }
  const o = v as Record<string, unknown>;
  if (!Object.keys(o).some((k) => KNOWN.has(k))) return { input: o };
  const row: Partial<Row> = { input: o.input ?? null, expected: o.expected ?? o.output ?? null };
  if (o.id !== undefined) {
    if (typeof o.id !== "string" || !o.id) {
      errors.push(`${where}: "id" must be a non-empty string`);
      return null;
    }
    row.id = o.id;
  }
  if (o.metadata !== undefined && o.metadata !== null) {
    if (typeof o.metadata !== "object" || Array.isArray(o.metadata)) {
      errors.push(`${where}: "metadata" must be an object`);
      return null;
    }
    row.metadata = o.metadata as Record<string, unknown>;
  }
  if (o.tags !== undefined && o.tags !== null) {
    if (!Array.isArray(o.tags) || !o.tags.every((t) => typeof t === "string")) {
      errors.push(`${where}: "tags" must be a list of strings`);
      return null;
    }
    row.tags = o.tags as string[];
  }
  return row;
}

export function parseDatasetFile(text: string): ImportResult {
  const errors: string[] = [];
  const rows: Partial<Row>[] = [];
  const trimmed = text.trim();
  if (!trimmed) return { rows, errors: ["the file is empty"] };
  if (trimmed.startsWith("[")) {
    try {
      const arr = JSON.parse(trimmed) as unknown[];
      arr.forEach((v, i) => {
        const r = toRow(v, `item ${i + 1}`, errors);
        if (r) rows.push(r);
      });
    } catch (e) {
      errors.push(`not valid JSON: ${(e as Error).message}`);
    }
    return { rows, errors };
  }
  trimmed.split(/\r?\n/).forEach((line, i) => {
    if (!line.trim()) return;
    try {
      const r = toRow(JSON.parse(line), `line ${i + 1}`, errors);
      if (r) rows.push(r);
    } catch {
      errors.push(`line ${i + 1}: not valid JSON`);
    }
  });
  return { rows, errors };
}

/** Rows as JSONL, the same shape the importer reads (for export). */
export function toJsonl(rows: Row[], fields: string[] = ["id", "input", "output", "expected", "scores", "metadata", "tags", "metrics"]): string {
  return rows.map((r) => JSON.stringify(Object.fromEntries(fields.filter((f) => r[f] !== undefined).map((f) => [f, r[f]])))).join("\n") + "\n";
}
