// Show or hide table columns; the choice is remembered per table in localStorage.
import { useEffect, useState } from "react";
import { useDropdown } from "../state/useDropdown";
import type { Column } from "./DataTable";

function load(key: string): string[] {
  try {
    const v = JSON.parse(localStorage.getItem(key) ?? "[]");
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
  } catch {
    return [];
  }
}

/** Columns minus the hidden ones, plus the picker's state. */
export function useHiddenColumns<T>(storageKey: string, columns: Column<T>[]) {
  const key = `twinplane.hiddenColumns.${storageKey}`;
  const [hidden, setHidden] = useState<string[]>(() => load(key));
  useEffect(() => {
    try {
      localStorage.setItem(key, JSON.stringify(hidden));
    } catch {
      // storage full or disabled: the choice just is not remembered
    }
  }, [key, hidden]);
  const visible = columns.filter((c) => !hidden.includes(c.key));
  const toggle = (k: string) => setHidden((h) => (h.includes(k) ? h.filter((x) => x !== k) : [...h, k]));
  return { visible, hidden, toggle };
}

export function ColumnPicker<T>({ columns, hidden, toggle }: { columns: Column<T>[]; hidden: string[]; toggle: (k: string) => void }) {
  const { open, setOpen, ref } = useDropdown();
  return (
    <div className="dropdown" ref={ref}>
      <button className="btn" onClick={() => setOpen(!open)} aria-expanded={open}>
        Columns{hidden.length ? ` (${columns.length - hidden.filter((k) => columns.some((c) => c.key === k)).length}/${columns.length})` : ""}
      </button>
      {open && (
        <div className="dropdown-menu" style={{ left: "auto", right: 0, maxHeight: 360, overflow: "auto" }} role="menu">
          {columns.filter((c) => typeof c.header === "string" && c.header).map((c) => (
            <label key={c.key} className="row-flex" style={{ padding: "5px 10px", fontSize: 13, cursor: "pointer" }}>
              <input type="checkbox" checked={!hidden.includes(c.key)} onChange={() => toggle(c.key)} />
              <span className="ellipsis">{c.header as string}</span>
            </label>
          ))}
        </div>
      )}
    </div>
  );
}
