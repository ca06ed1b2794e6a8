// A virtualized table: only the rows in view are in the DOM, so 10,000 cases scroll as
// smoothly as 10. Loads more when the user nears the end; j/k + Enter to move and open.
import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useRef, type ReactNode } from "react";
import type { SortSpec } from "../api/types";
import { useHotkeys } from "../state/useHotkeys";

export interface Column<T> {
  key: string;
  header: ReactNode;
  width: number;
  /** Share of leftover width this column takes (flex-grow). */
  grow?: number;
  render: (row: T, index: number) => ReactNode;
  /** Field sent in `sort` when the header is clicked. */
  sortField?: string;
  wrap?: boolean;
  align?: "left" | "right";
  title?: (row: T) => string | undefined;
}

export interface DataTableProps<T> {
  rows: T[];
  columns: Column<T>[];
  rowKey: (row: T, index: number) => string;
  rowHeight?: number;
  sort?: SortSpec | null;
  onSort?: (field: string) => void;
  onOpen?: (row: T, index: number) => void;
  selected?: number;
  onSelect?: (index: number) => void;
  onEndReached?: () => void;
  hasMore?: boolean;
  loadingMore?: boolean;
  footer?: ReactNode;
  keyboard?: boolean;
  rowClassName?: (row: T) => string | undefined;
  testId?: string;
  /** A newer query is loading: the rows shown are the previous answer. */
  busy?: boolean;
}

export function DataTable<T>(props: DataTableProps<T>) {
  const { rows, columns, rowHeight = 38, sort, onSort, onOpen, selected = -1, onSelect, onEndReached, hasMore, loadingMore } = props;
  const scrollRef = useRef<HTMLDivElement>(null);
  const count = rows.length + (hasMore ? 1 : 0);
  const virt = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 12,
  });
  const items = virt.getVirtualItems();
  const lastIndex = items.length ? items[items.length - 1].index : -1;

  useEffect(() => {
    if (hasMore && !loadingMore && onEndReached && lastIndex >= rows.length - 20) onEndReached();
  }, [lastIndex, rows.length, hasMore, loadingMore, onEndReached]);

  useEffect(() => {
    if (selected >= 0) virt.scrollToIndex(selected, { align: "auto" });
  }, [selected, virt]);

  useHotkeys(
    {
      j: () => onSelect?.(Math.min(rows.length - 1, selected + 1)),
      k: () => onSelect?.(Math.max(0, selected - 1)),
      ArrowDown: () => onSelect?.(Math.min(rows.length - 1, selected + 1)),
      ArrowUp: () => onSelect?.(Math.max(0, selected - 1)),
      Enter: () => {
        if (selected >= 0 && selected < rows.length) onOpen?.(rows[selected], selected);
      },
    },
    !!props.keyboard && rows.length > 0,
  );

  const totalWidth = columns.reduce((s, c) => s + c.width, 0);
  const cellStyle = (c: Column<T>) => ({ width: c.width, flexGrow: c.grow ?? 0, flexShrink: 0, flexBasis: c.width, textAlign: c.align });

  return (
    <div className="vt" data-testid={props.testId} aria-busy={props.busy ? true : undefined}>
      {props.busy && <div className="busy-bar" />}
      <div className="vt-scroll" ref={scrollRef}>
        <div className="vt-head" style={{ minWidth: totalWidth }}>
          {columns.map((c) => {
            const sorted = sort && c.sortField && sort.field === c.sortField;
            return (
              <div
                key={c.key}
                className={`vt-th${c.sortField && onSort ? " sortable" : ""}`}
                style={{ ...cellStyle(c), justifyContent: c.align === "right" ? "flex-end" : undefined }}
                onClick={c.sortField && onSort ? () => onSort(c.sortField!) : undefined}
                title={c.sortField ? "Sort" : undefined}
              >
                {c.header}
                {sorted && <span aria-label={sort!.dir}>{sort!.dir === "asc" ? "↑" : "↓"}</span>}
              </div>
            );
          })}
        </div>
        <div style={{ height: virt.getTotalSize(), position: "relative", minWidth: totalWidth }}>
          {items.map((vi) => {
            const row = rows[vi.index];
            if (!row) {
              return (
                <div key="more" className="vt-row" style={{ top: vi.start, height: rowHeight, cursor: "default" }}>
                  <div className="vt-td muted">{loadingMore ? "Loading more…" : ""}</div>
                </div>
              );
            }
            const extra = props.rowClassName?.(row);
            return (
              <div
                key={props.rowKey(row, vi.index)}
                className={`vt-row${vi.index === selected ? " selected" : ""}${extra ? ` ${extra}` : ""}`}
                style={{ top: vi.start, height: rowHeight }}
                onClick={() => {
                  onSelect?.(vi.index);
                  onOpen?.(row, vi.index);
                }}
                data-row-index={vi.index}
              >
                {columns.map((c) => (
                  <div key={c.key} className={`vt-td${c.wrap ? " wrap" : ""}`} style={cellStyle(c)} title={c.title?.(row)}>
                    {c.render(row, vi.index)}
                  </div>
                ))}
              </div>
            );
          })}
        </div>
      </div>
      {props.footer && <div className="vt-foot">{props.footer}</div>}
    </div>
  );
}
