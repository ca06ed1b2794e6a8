// Page state kept in the query string, so every view is linkable and Back works.
import { useCallback } from "react";
import { useSearchParams } from "react-router-dom";

export function useUrlState(): [(key: string) => string, (patch: Record<string, string | null | undefined>, replace?: boolean) => void] {
  const [params, setParams] = useSearchParams();
  const get = useCallback((key: string) => params.get(key) ?? "", [params]);
  const set = useCallback(
    (patch: Record<string, string | null | undefined>, replace = true) => {
      setParams((prev) => {
        const next = new URLSearchParams(prev);
        for (const [k, v] of Object.entries(patch)) {
          if (v === null || v === undefined || v === "") next.delete(k);
          else next.set(k, v);
        }
        return next;
      }, { replace });
    },
    [setParams],
  );
  return [get, set];
}
