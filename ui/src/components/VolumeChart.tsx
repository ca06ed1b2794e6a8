// Traces per time bucket (and how many failed) above the logs table. One /v1/aggregate call.
import { useState } from "react";

export interface Bucket { start: number; count: number; errors: number }

export function VolumeChart({ buckets, from, to, bucketMs }: { buckets: Bucket[]; from: number; to: number; bucketMs: number }) {
  const [hover, setHover] = useState<Bucket | null>(null);
  const width = 1000;
  const height = 48;
  const max = Math.max(1, ...buckets.map((b) => b.count));
  const span = Math.max(bucketMs, to - from);
  const bw = Math.max(2, (bucketMs / span) * width - 1);
  const total = buckets.reduce((s, b) => s + b.count, 0);
  const errors = buckets.reduce((s, b) => s + b.errors, 0);
  return (
    <div style={{ padding: "0 20px 8px" }} data-testid="volume-chart">
      <div className="row-flex faint" style={{ fontSize: 12, marginBottom: 2 }}>
        <span>{total.toLocaleString()} traces{errors ? ` · ${errors.toLocaleString()} with errors` : ""}</span>
        {hover && (
          <span style={{ marginLeft: "auto" }}>
            {new Date(hover.start).toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" })}: {hover.count} traces
            {hover.errors ? `, ${hover.errors} errors` : ""}
          </span>
        )}
      </div>
      <svg viewBox={`0 0 ${width} ${height}`} width="100%" height={height} preserveAspectRatio="none" role="img" aria-label="Traces over time">
        <line x1={0} x2={width} y1={height - 0.5} y2={height - 0.5} stroke="var(--border)" />
        {buckets.map((b) => {
          const x = ((b.start - from) / span) * width;
          const h = (b.count / max) * (height - 4);
          const he = (b.errors / max) * (height - 4);
          return (
            <g key={b.start} onMouseEnter={() => setHover(b)} onMouseLeave={() => setHover(null)}>
              <rect x={x} y={0} width={bw} height={height} fill="transparent" />
              <rect x={x} y={height - h} width={bw} height={h} fill="#c7d2fe" />
              {he > 0 && <rect x={x} y={height - he} width={bw} height={he} fill="#fca5a5" />}
            </g>
          );
        })}
      </svg>
    </div>
  );
}

/** Bucket width for a time range (~30–100 bars). */
export function bucketFor(range: string): { interval: string; ms: number } {
  switch (range) {
    case "15m": return { interval: "30s", ms: 30_000 };
    case "1h": return { interval: "1m", ms: 60_000 };
    case "24h": return { interval: "30m", ms: 1_800_000 };
    case "7d": return { interval: "3h", ms: 10_800_000 };
    case "30d": return { interval: "12h", ms: 43_200_000 };
    default: return { interval: "1d", ms: 86_400_000 };
  }
}

/** Aggregate answer rows → buckets (the bucket key is the ISO time it starts). */
export function toBuckets(data: Record<string, unknown>[]): Bucket[] {
  return data
    .map((d) => ({ start: Date.parse(String(d.created_bucket ?? d.created ?? "")), count: Number(d.n ?? 0), errors: Number(d.errors ?? 0) }))
    .filter((b) => Number.isFinite(b.start))
    .sort((a, b) => a.start - b.start);
}

/** Join the per-bucket total and per-bucket error counts answered by two aggregate calls. */
export function mergeBucketRows(all: Record<string, unknown>[], failed: Record<string, unknown>[]): Record<string, unknown>[] {
  const errors = new Map(failed.map((f) => [String(f.created_bucket), f.errors]));
  return all.map((a) => ({ ...a, errors: errors.get(String(a.created_bucket)) ?? 0 }));
}
