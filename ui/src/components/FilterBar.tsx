// The filter-language box and the full-text search box. The filter is applied on Enter
// (or Apply); the server's 400 message shows right under it.
import { useEffect, useRef, useState } from "react";
import { FILTER_EXAMPLES } from "../lib/filterText";
import { useHotkeys } from "../state/useHotkeys";

export interface FilterBarProps {
  filter: string;
  search: string;
  onFilter: (f: string) => void;
  onSearch: (s: string) => void;
  error?: string | null;
  children?: React.ReactNode;
}

export function FilterBar({ filter, search, onFilter, onSearch, error, children }: FilterBarProps) {
  const [draft, setDraft] = useState(filter);
  const [q, setQ] = useState(search);
  const [help, setHelp] = useState(false);
  const searchRef = useRef<HTMLInputElement>(null);
  const filterRef = useRef<HTMLInputElement>(null);
  useEffect(() => setDraft(filter), [filter]);
  useEffect(() => setQ(search), [search]);
  // Search as you type, debounced.
  useEffect(() => {
    if (q === search) return;
    const t = setTimeout(() => onSearch(q), 300);
    return () => clearTimeout(t);
  }, [q, search, onSearch]);
  useHotkeys({ "/": () => searchRef.current?.focus(), f: () => filterRef.current?.focus() });

  return (
    <div style={{ borderBottom: "1px solid var(--border)" }}>
      <div className="toolbar" style={{ borderBottom: 0 }}>
        <input
          ref={searchRef}
          className="input"
          style={{ width: 240 }}
          placeholder="Search text…  ( / )"
          value={q}
          onChange={(e) => setQ(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter") onSearch(q);
            if (e.key === "Escape") (e.target as HTMLInputElement).blur();
          }}
          aria-label="Full-text search"
        />
        <form
          style={{ display: "flex", flex: 1, gap: 6, minWidth: 320 }}
          onSubmit={(e) => {
            e.preventDefault();
            onFilter(draft);
          }}
        >
          <input
            ref={filterRef}
            className={`input mono${error ? " invalid" : ""}`}
            style={{ flex: 1 }}
            placeholder="Filter, e.g. scores.Factuality < 0.5 AND metadata.model = 'gpt-4o'   ( f )"
            value={draft}
            onChange={(e) => setDraft(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Escape") (e.target as HTMLInputElement).blur();
            }}
            aria-label="Filter"
            aria-invalid={!!error}
            spellCheck={false}
          />
          <button className="btn" type="submit">Apply</button>
          {filter && (
            <button className="btn ghost" type="button" onClick={() => onFilter("")}>Clear</button>
          )}
          <button className="btn ghost" type="button" onClick={() => setHelp((h) => !h)} aria-expanded={help}>?</button>
        </form>
        {children}
      </div>
      {error && <div className="inline-error" role="alert" style={{ padding: "0 20px 8px" }}>{error}</div>}
      {help && (
        <div style={{ padding: "0 20px 10px", fontSize: 12.5 }} className="muted">
          Fields: <code>input</code>, <code>output</code>, <code>expected</code>, <code>error</code>, <code>tags</code>,{" "}
          <code>created</code>, <code>scores.NAME</code>, <code>metadata.KEY</code>, <code>metrics.KEY</code>, <code>span_attributes.name</code>.
          Operators: <code>= != &lt; &lt;= &gt; &gt;=</code>, <code>IN (…)</code>, <code>IS [NOT] NULL</code>, <code>LIKE</code>, <code>ILIKE</code>,{" "}
          <code>~</code> (regex), <code>MATCH</code>, <code>tags INCLUDES</code>, <code>AND OR NOT</code>; times like <code>now() - interval 7 day</code>. Try:{" "}
          {FILTER_EXAMPLES.map((ex) => (
            <button key={ex} className="btn ghost small mono" onClick={() => { setDraft(ex); onFilter(ex); }}>{ex}</button>
          ))}
        </div>
      )}
    </div>
  );
}
