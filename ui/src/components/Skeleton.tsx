// Loading placeholders shaped like what is coming, so the page does not jump.
export function SkeletonLine({ width = "100%", height = 12 }: { width?: number | string; height?: number }) {
  return <div className="skeleton" style={{ width, height }} />;
}

export function SkeletonRows({ rows = 8, cols = 5 }: { rows?: number; cols?: number }) {
  return (
    <div aria-busy="true" aria-label="Loading" style={{ padding: "8px 0" }}>
      {Array.from({ length: rows }, (_, r) => (
        <div key={r} style={{ display: "flex", gap: 16, padding: "10px 20px", borderBottom: "1px solid var(--border)" }}>
          {Array.from({ length: cols }, (_, c) => (
            <div key={c} style={{ flex: c === 0 ? 2 : 1 }}>
              <SkeletonLine width={`${60 + ((r * 7 + c * 13) % 35)}%`} />
            </div>
          ))}
        </div>
      ))}
    </div>
  );
}

export function SkeletonCards({ count = 6 }: { count?: number }) {
  return (
    <div className="grid-cards" aria-busy="true" aria-label="Loading">
      {Array.from({ length: count }, (_, i) => (
        <div key={i} className="card card-body stack" style={{ gap: 10 }}>
          <SkeletonLine width="50%" height={14} />
          <SkeletonLine width="80%" />
          <SkeletonLine width="65%" />
        </div>
      ))}
    </div>
  );
}
