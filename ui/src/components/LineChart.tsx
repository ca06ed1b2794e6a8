// A small SVG line chart (scores across experiments over time). No chart library: a few
// dozen points need nothing more.
import { useState } from "react";

export interface Series { name: string; color: string; points: { x: number; y: number | null; label: string }[] }

export const PALETTE = ["#4f46e5", "#0ea5e9", "#16a34a", "#f59e0b", "#db2777", "#7c3aed", "#0d9488", "#dc2626"];

export function LineChart({ series, height = 180, yFormat = (v: number) => `${Math.round(v * 100)}%`, onPointClick }: {
  series: Series[]; height?: number; yFormat?: (v: number) => string; onPointClick?: (label: string) => void;
}) {
  const [hover, setHover] = useState<{ s: string; label: string; y: number; cx: number; cy: number } | null>(null);
  const width = 900;
  const pad = { l: 40, r: 16, t: 12, b: 24 };
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  if (xs.length === 0) return null;
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  const ys = series.flatMap((s) => s.points.map((p) => p.y).filter((y): y is number => y !== null));
  const yMin = Math.min(0, ...ys);
  const yMax = Math.max(1, ...ys);
  const sx = (x: number) => pad.l + (xMax === xMin ? (width - pad.l - pad.r) / 2 : ((x - xMin) / (xMax - xMin)) * (width - pad.l - pad.r));
  const sy = (y: number) => pad.t + (1 - (y - yMin) / (yMax - yMin || 1)) * (height - pad.t - pad.b);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => yMin + f * (yMax - yMin));
  const fmtDate = (x: number) => new Date(x).toLocaleDateString(undefined, { month: "short", day: "numeric" });

  return (
    <div style={{ position: "relative" }}>
      <svg className="chart" viewBox={`0 0 ${width} ${height}`} width="100%" height={height} preserveAspectRatio="none" role="img" aria-label="Scores over time">
        {ticks.map((t) => (
          <g key={t}>
            <line className="grid" x1={pad.l} x2={width - pad.r} y1={sy(t)} y2={sy(t)} />
            <text x={pad.l - 6} y={sy(t) + 4} textAnchor="end">{yFormat(t)}</text>
          </g>
        ))}
        <text x={pad.l} y={height - 6}>{fmtDate(xMin)}</text>
        {xMax !== xMin && <text x={width - pad.r} y={height - 6} textAnchor="end">{fmtDate(xMax)}</text>}
        {series.map((s) => {
          const pts = s.points.filter((p) => p.y !== null);
          const d = pts.map((p, i) => `${i ? "L" : "M"}${sx(p.x).toFixed(1)},${sy(p.y!).toFixed(1)}`).join(" ");
          return (
            <g key={s.name}>
              <path d={d} fill="none" stroke={s.color} strokeWidth={2} vectorEffect="non-scaling-stroke" />
              {pts.map((p) => (
                <circle
                  key={p.label + p.x}
                  cx={sx(p.x)} cy={sy(p.y!)} r={4} fill="#fff" stroke={s.color} strokeWidth={2}
                  vectorEffect="non-scaling-stroke"
                  style={{ cursor: onPointClick ? "pointer" : "default" }}
                  onMouseEnter={() => setHover({ s: s.name, label: p.label, y: p.y!, cx: sx(p.x) / width, cy: sy(p.y!) })}
                  onMouseLeave={() => setHover(null)}
                  onClick={() => onPointClick?.(p.label)}
                />
              ))}
            </g>
          );
        })}
      </svg>
      {hover && (
        <div style={{ position: "absolute", left: `${hover.cx * 100}%`, top: hover.cy - 44, transform: "translateX(-50%)", background: "#18181b", color: "#fff", fontSize: 12, padding: "4px 8px", borderRadius: 6, pointerEvents: "none", whiteSpace: "nowrap" }}>
          {hover.label} · {hover.s}: {yFormat(hover.y)}
        </div>
      )}
      <div className="legend">
        {series.map((s) => <span key={s.name}><span className="dot" style={{ background: s.color }} />{s.name}</span>)}
      </div>
    </div>
  );
}
