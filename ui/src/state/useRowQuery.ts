// Paged rows from POST /v1/query. A 400 (bad filter) is kept apart from other errors so
// the filter box can show the server's message inline while the last good rows stay.
import { useCallback, useEffect, useRef, useState } from "react";
import type { DataClient } from "../api/data";
import { ApiError } from "../api/http";
import { enrichRoots, needsEnrichment } from "../api/rootEnrich";
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
}

const ENRICH_BATCH = 200;

/**
 * `traceScores`: for roots_only queries, score names to fill in per trace when the server
 * returns bare root rows (see api/rootEnrich.ts).
 */
export function useRowQuery(client: DataClient, req: Omit<QueryRequest, "cursor"> | null, pageSize = 200, traceScores: string[] = []): RowQuery {
  const [rows, setRows] = useState<Row[]>([]);
  const rowsRef = useRef(rows);
  rowsRef.current = rows;
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [filterError, setFilterError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const gen = useRef(0);
  const key = JSON.stringify(req);
  const reqRef = useRef(req);
  reqRef.current = req;
  const scoresRef = useRef(traceScores);
  scoresRef.current = traceScores;
  const scoresKey = traceScores.join("\u0000");

  /** Fill trace totals into `page` (in place in state, by id) when the server did not. */
  const enrich = useCallback((page: Row[], my: number, force = false) => {
    const r = reqRef.current;
    if (!r?.roots_only || page.length === 0 || (!force && !needsEnrichment(page))) return;
    for (let i = 0; i < page.length; i += ENRICH_BATCH) {
      enrichRoots(client, r.object_type, r.object_id, page.slice(i, i + ENRICH_BATCH), scoresRef.current).then(
        (rich) => {
          if (my !== gen.current) return;
          const byId = new Map(rich.map((x) => [x.id, x]));
          // Merge rather than replace: answers for the same rows may land in any order.
          setRows((cur) => cur.map((x) => {
            const e = byId.get(x.id);
            return e ? { ...x, scores: { ...e.scores, ...x.scores }, metrics: { ...e.metrics, ...x.metrics }, span_count: x.span_count ?? e.span_count } : x;
          }));
        },
        () => undefined, // the table still works without trace totals
      );
    }
  }, [client]);

  useEffect(() => {
    if (!req) return;
    const my = ++gen.current;
    const ctl = new AbortController();
    setLoading(true);
    client.query({ ...req, limit: pageSize }, ctl.signal).then(
      (page) => {
        if (my !== gen.current) return;
        setRows(page.data);
        setCursor(page.cursor);
        setError(null);
        setFilterError(null);
        setLoading(false);
        enrich(page.data, my);
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

  // Score names can arrive after the rows (e.g. from the experiment summary): fill them in.
  useEffect(() => {
    if (!scoresKey) return;
    const cur = rowsRef.current;
    if (cur.length) enrich(cur, gen.current, true);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [scoresKey]);

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
        enrich(page.data, my);
      },
      (e) => {
        if (my !== gen.current) return;
        setError(e);
        setLoadingMore(false);
      },
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, cursor, loadingMore, client, pageSize, enrich]);

  const reload = useCallback(() => setTick((t) => t + 1), []);
  const replaceRow = useCallback((row: Row) => setRows((rs) => rs.map((r) => (r.id === row.id ? { ...r, ...row } : r))), []);

  return { rows, loading, loadingMore, error, filterError, hasMore: !!cursor, loadMore, reload, replaceRow };
}
