// Paged rows from POST /v1/query. A 400 (bad filter) is kept apart from other errors so
// the filter box can show the server's message inline while the last good rows stay.
import { useCallback, useEffect, useRef, useState } from "react";
import type { DataClient } from "../api/data";
import { ApiError } from "../api/http";
import type { QueryRequest, Row } from "../api/types";

export interface RowQuery {
  rows: Row[];
  loading: boolean;
  loadingMore: boolean;
  error: unknown;
  filterError: string | null;
  hasMore: boolean;
  loadMore: () => void;
  reload: () => void;
  replaceRow: (row: Row) => void;
  /** ms from request to first page, for the footer. */
  firstPageMs: number | null;
}

export function useRowQuery(client: DataClient, req: Omit<QueryRequest, "cursor"> | null, pageSize = 200): RowQuery {
  const [rows, setRows] = useState<Row[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [filterError, setFilterError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const [firstPageMs, setFirstPageMs] = useState<number | null>(null);
  const gen = useRef(0);
  const key = JSON.stringify(req);

  useEffect(() => {
    if (!req) return;
    const my = ++gen.current;
    const ctl = new AbortController();
    const t0 = performance.now();
    setLoading(true);
    client.query({ ...req, limit: pageSize }, ctl.signal).then(
      (page) => {
        if (my !== gen.current) return;
        setRows(page.data);
        setCursor(page.cursor);
        setError(null);
        setFilterError(null);
        setLoading(false);
        setFirstPageMs(performance.now() - t0);
      },
      (e) => {
        if (my !== gen.current || ctl.signal.aborted) return;
        if (e instanceof ApiError && e.status === 400) setFilterError(e.message);
        else setError(e);
        setLoading(false);
      },
    );
    return () => ctl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, tick, client, pageSize]);

  const loadMore = useCallback(() => {
    if (!req || !cursor || loadingMore) return;
    const my = gen.current;
    setLoadingMore(true);
    client.query({ ...req, limit: pageSize, cursor }).then(
      (page) => {
        if (my !== gen.current) return;
        setRows((r) => r.concat(page.data));
        setCursor(page.cursor);
        setLoadingMore(false);
      },
      (e) => {
        if (my !== gen.current) return;
        setError(e);
        setLoadingMore(false);
      },
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, cursor, loadingMore, client, pageSize]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  const replaceRow = useCallback((row: Row) => setRows((rs) => rs.map((r) => (r.id === row.id ? { ...r, ...row } : r))), []);

  return { rows, loading, loadingMore, error, filterError, hasMore: !!cursor, loadMore, reload, replaceRow, firstPageMs };
}
