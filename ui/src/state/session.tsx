// Who is signed in (from the control plane) and, per org, the client for its data plane.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { control, setCsrfToken } from "../api/control";
import { DataClient } from "../api/data";
import { ApiError } from "../api/http";
import { TokenManager } from "../api/token";
import type { Me } from "../api/types";

interface SessionValue {
  me: Me | null;
  loading: boolean;
  error: unknown;
  refresh: () => Promise<Me | null>;
  signOut: () => Promise<void>;
  dataClient: (orgId: string) => DataClient;
}

const SessionContext = createContext<SessionValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const clients = useRef(new Map<string, DataClient>());

  const refresh = useCallback(async () => {
    try {
      const m = await control.me();
      setCsrfToken(m.csrf_token);
      setMe(m);
      setError(null);
      return m;
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 401)) setError(e);
      setMe(null);
      return null;
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const signOut = useCallback(async () => {
    try {
      await control.logout();
    } finally {
      clients.current.clear();
      setCsrfToken(null);
      setMe(null);
    }
  }, []);

  const dataClient = useCallback((orgId: string) => {
    let c = clients.current.get(orgId);
    if (!c) {
      c = new DataClient(new TokenManager(orgId));
      clients.current.set(orgId, c);
    }
    return c;
  }, []);

  const value = useMemo(() => ({ me, loading, error, refresh, signOut, dataClient }), [me, loading, error, refresh, signOut, dataClient]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const v = useContext(SessionContext);
  if (!v) throw new Error("useSession outside SessionProvider");
  return v;
}
