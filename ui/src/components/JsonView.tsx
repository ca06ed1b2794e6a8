// Collapsible JSON viewer. Every value is a React text node: content from rows can never
// become markup or a link here.
import { useState } from "react";

const LONG_STRING = 1500;
const PAGE = 100;

function StringValue({ value }: { value: string }) {
  const [full, setFull] = useState(false);
  if (value.length <= LONG_STRING || full) return <span className="s">{JSON.stringify(value)}</span>;
  return (
    <span className="s">
      {JSON.stringify(value.slice(0, LONG_STRING))}
      <button className="btn ghost small" onClick={() => setFull(true)}>+{(value.length - LONG_STRING).toLocaleString()} chars</button>
    </span>
  );
}

function Scalar({ value }: { value: unknown }) {
  if (value === null) return <span className="z">null</span>;
  if (typeof value === "string") return <StringValue value={value} />;
  if (typeof value === "number") return <span className="n">{String(value)}</span>;
  if (typeof value === "boolean") return <span className="b">{String(value)}</span>;
  return <span className="z">{String(value)}</span>;
}

function Node({ value, depth, name, last }: { value: unknown; depth: number; name?: string; last: boolean }) {
  const isObj = value !== null && typeof value === "object";
  const entries = isObj ? (Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value as object)) : [];
  const [open, setOpen] = useState(depth < 2 && entries.length <= 50);
  const [shown, setShown] = useState(PAGE);
  const key = name !== undefined ? <><span className="k">{JSON.stringify(name)}</span>: </> : null;
  const comma = last ? "" : ",";
  if (!isObj) return <div>{key}<Scalar value={value} />{comma}</div>;
  const [o, c] = Array.isArray(value) ? ["[", "]"] : ["{", "}"];
  if (entries.length === 0) return <div>{key}{o}{c}{comma}</div>;
  if (!open) {
    return (
      <div>
        <span className="toggle" onClick={() => setOpen(true)} role="button" aria-label="expand">▸</span>
        {key}
        <span className="summary" onClick={() => setOpen(true)}>
          {o} {entries.length} {Array.isArray(value) ? (entries.length === 1 ? "item" : "items") : entries.length === 1 ? "key" : "keys"} {c}
        </span>
        {comma}
      </div>
    );
  }
  const visible = entries.slice(0, shown);
  return (
    <div>
      <span className="toggle" onClick={() => setOpen(false)} role="button" aria-label="collapse">▾</span>
      {key}{o}
      <div className="indent">
        {visible.map(([k, v], i) => (
          <Node key={k} name={Array.isArray(value) ? undefined : k} value={v} depth={depth + 1} last={i === entries.length - 1} />
        ))}
        {entries.length > shown && (
          <button className="btn ghost small" onClick={() => setShown((s) => s + PAGE * 5)}>
            Show {Math.min(PAGE * 5, entries.length - shown)} more of {entries.length - shown}
          </button>
        )}
      </div>
      {c}{comma}
    </div>
  );
}

export function JsonView({ value }: { value: unknown }) {
  if (value === undefined) return <span className="faint">—</span>;
  return <div className="json"><Node value={value} depth={0} last /></div>;
}
