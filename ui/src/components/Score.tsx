import { formatDiff, formatScore } from "../lib/format";

/** Red → amber → green for 0 → 1. */
export function scoreColor(v: number): string {
  if (v >= 0.8) return "#22c55e";
  if (v >= 0.5) return "#eab308";
  return "#ef4444";
}

export function ScoreCell({ value }: { value: number | null | undefined }) {
  if (value === null || value === undefined) return <span className="faint">–</span>;
  return (
    <span className="score-cell">
      <span className="score-bar"><div style={{ width: `${Math.max(0, Math.min(1, value)) * 100}%`, background: scoreColor(value) }} /></span>
      <span style={{ fontVariantNumeric: "tabular-nums" }}>{formatScore(value)}</span>
    </span>
  );
}

export function DiffBadge({ diff }: { diff: number | null | undefined }) {
  if (diff === null || diff === undefined || Number.isNaN(diff)) return null;
  const cls = Math.abs(diff) < 0.0005 ? "badge" : diff > 0 ? "badge good" : "badge bad";
  return <span className={cls}>{formatDiff(diff)}</span>;
}
