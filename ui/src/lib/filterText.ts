// Building and combining filter-language text (the typed filter of POST /v1/query).
// Values we put into a filter are always quoted here, so a user's search text or a score
// name can never change the meaning of the expression around it.

/** A string literal in the filter language: single quotes, backslash and quote escaped. */
export function quote(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A field reference such as scores.Factuality or metadata."user id". */
export function fieldRef(path: string[]): string {
  return path.map((p) => (IDENT.test(p) ? p : `"${p.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`)).join(".");
}

/** Normalise what a user typed: trim, drop a trailing semicolon, collapse an all-blank box. */
export function normalizeFilter(text: string | null | undefined): string {
  let t = (text ?? "").trim();
  while (t.endsWith(";")) t = t.slice(0, -1).trimEnd();
  return t;
}

/** AND together filter fragments, parenthesising each, skipping blanks. */
export function andFilters(...parts: (string | null | undefined)[]): string | undefined {
  const kept = parts.map(normalizeFilter).filter((p) => p.length > 0);
  if (kept.length === 0) return undefined;
  if (kept.length === 1) return kept[0];
  return kept.map((p) => `(${p})`).join(" AND ");
}

export type TimeRange = "15m" | "1h" | "24h" | "7d" | "30d" | "all";
export const TIME_RANGES: { value: TimeRange; label: string }[] = [
  { value: "15m", label: "Last 15 minutes" },
  { value: "1h", label: "Last hour" },
  { value: "24h", label: "Last 24 hours" },
  { value: "7d", label: "Last 7 days" },
  { value: "30d", label: "Last 30 days" },
  { value: "all", label: "All time" },
];
const RANGE_MS: Record<Exclude<TimeRange, "all">, number> = {
  "15m": 15 * 60_000, "1h": 3_600_000, "24h": 86_400_000, "7d": 7 * 86_400_000, "30d": 30 * 86_400_000,
};

/** `created >= '<iso>'` for a relative range, or undefined for all time. */
export function timeRangeFilter(range: TimeRange, now: number): string | undefined {
  if (range === "all") return undefined;
  return `created >= ${quote(new Date(now - RANGE_MS[range]).toISOString())}`;
}

/** Filter for rows where a score is present, below or above a threshold. */
export function scoreFilter(name: string, op: "<" | ">=" | "IS NOT NULL", threshold?: number): string {
  const f = fieldRef(["scores", name]);
  return op === "IS NOT NULL" ? `${f} IS NOT NULL` : `${f} ${op} ${Number(threshold)}`;
}

/** Ready-made examples shown under the filter box. */
export const FILTER_EXAMPLES = [
  "scores.Factuality < 0.5",
  "metadata.model = 'gpt-4o'",
  "input MATCH 'refund'",
  "error IS NOT NULL",
  "tags INCLUDES 'regression'",
  "created > now() - interval 1 day",
];
