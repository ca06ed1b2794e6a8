// Number, time and size formatting shared by every page.

export function formatScore(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return "–";
  return `${(v * 100).toFixed(v === 0 || v === 1 ? 0 : 1)}%`;
}

export function formatDiff(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return "";
  if (Math.abs(v) < 0.0005) return "±0";
  return `${v > 0 ? "+" : "−"}${(Math.abs(v) * 100).toFixed(1)}pp`;
}

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "–";
  if (seconds < 0.001) {
    const us = Math.round(seconds * 1e6);
    return us >= 1000 ? "1ms" : `${us}µs`;
  }
  if (seconds < 1) {
    const ms = Math.round(seconds * 1000);
    return ms >= 1000 ? "1.00s" : `${ms}ms`;
  }
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)}s`;
  const m = Math.floor(seconds / 60);
  return `${m}m ${Math.round(seconds - m * 60)}s`;
}

export function formatNumber(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "–";
  if (Math.abs(v) >= 1e6) return `${(v / 1e6).toFixed(1)}M`;
  if (Math.abs(v) >= 1e4) return `${(v / 1e3).toFixed(1)}k`;
  return Number.isInteger(v) ? v.toLocaleString("en-US") : v.toFixed(2);
}

export function formatCost(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "–";
  return v < 0.01 ? `$${v.toFixed(5)}` : `$${v.toFixed(2)}`;
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "–";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "–";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

export function relativeTime(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return "–";
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = Math.round((now - t) / 1000);
  if (s < 45) return "just now";
  if (s < 3600) return `${Math.round(s / 60)}m ago`;
  if (s < 86400) return `${Math.round(s / 3600)}h ago`;
  if (s < 30 * 86400) return `${Math.round(s / 86400)}d ago`;
  return formatDate(iso);
}

/** Root-span duration in seconds from metrics.start/end. */
export function spanDuration(metrics: Record<string, number | null> | null | undefined): number | null {
  const start = metrics?.start;
  const end = metrics?.end;
  return typeof start === "number" && typeof end === "number" ? Math.max(0, end - start) : null;
}

export function totalTokens(metrics: Record<string, number | null> | null | undefined): number | null {
  if (!metrics) return null;
  if (typeof metrics.tokens === "number") return metrics.tokens;
  if (typeof metrics.total_tokens === "number") return metrics.total_tokens;
  const p = metrics.prompt_tokens;
  const c = metrics.completion_tokens;
  if (typeof p === "number" || typeof c === "number") return (p ?? 0) + (c ?? 0);
  return null;
}

export function shortId(id: string | null | undefined, n = 8): string {
  return id ? id.slice(0, n) : "";
}

/** A transaction id (fixed-width, zero-padded) as people read it: "0000000000000000081" → "#81". */
export function formatXact(x: string | null | undefined): string {
  if (!x) return "–";
  return `#${x.replace(/^0+(?=\d)/, "")}`;
}
