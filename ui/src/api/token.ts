// Browser tokens for the data plane (contracts §1): short-lived ES256 JWTs minted by the
// control plane per org. We keep one per org, renew it before it expires, and measure its
// life from its own claims so a skewed browser clock cannot make us use an expired token.
import { control } from "./control";
import type { DataPlaneToken } from "./types";

export interface HeldToken {
  token: string;
  dataPlaneUrl: string;
  dataPlaneId?: string;
  /** Local clock (ms) at which we renew in the background. */
  refreshAt: number;
  /** Local clock (ms) after which we no longer send it. */
  hardExpiry: number;
}

/** Renew with this share of the lifetime left (but never with less than MIN_MARGIN_MS). */
const REFRESH_SHARE = 0.25;
const MIN_MARGIN_MS = 30_000;
/** Stop using a token this long before it expires, to allow for the request's flight time. */
const SEND_MARGIN_MS = 5_000;

function b64urlJson(segment: string): Record<string, unknown> | null {
  try {
    const b64 = segment.replace(/-/g, "+").replace(/_/g, "/");
    const padded = b64 + "=".repeat((4 - (b64.length % 4)) % 4);
    return JSON.parse(atob(padded)) as Record<string, unknown>;
  } catch {
    return null;
  }
}

/** Lifetime in ms, from the JWT's own iat/exp if present, else from expires_at against our clock. */
export function tokenLifetimeMs(token: string, expiresAt: string, now: number): number {
  const claims = b64urlJson(token.split(".")[1] ?? "");
  if (claims && typeof claims.exp === "number" && typeof claims.iat === "number" && claims.exp > claims.iat) {
    return (claims.exp - claims.iat) * 1000;
  }
  const exp = Date.parse(expiresAt);
  return Number.isFinite(exp) ? Math.max(0, exp - now) : 60_000;
}

/** When (local ms) to renew and when to stop sending a token received at `receivedAt`. */
export function tokenSchedule(lifetimeMs: number, receivedAt: number): { refreshAt: number; hardExpiry: number } {
  const margin = Math.max(MIN_MARGIN_MS, lifetimeMs * REFRESH_SHARE);
  const hardExpiry = receivedAt + Math.max(0, lifetimeMs - SEND_MARGIN_MS);
  const refreshAt = Math.min(hardExpiry, Math.max(receivedAt, receivedAt + lifetimeMs - margin));
  return { refreshAt, hardExpiry };
}

export class NoDataPlaneError extends Error {
  constructor() {
    super("This organization has no data plane yet. An admin can set its URL in Settings → Data plane.");
    this.name = "NoDataPlaneError";
  }
}

export function holdToken(t: DataPlaneToken, receivedAt: number): HeldToken {
  if (!t.data_plane_url) throw new NoDataPlaneError();
  const life = tokenLifetimeMs(t.token, t.expires_at, receivedAt);
  return {
    token: t.token,
    dataPlaneUrl: t.data_plane_url.replace(/\/+$/, ""),
    dataPlaneId: t.data_plane_id,
    ...tokenSchedule(life, receivedAt),
  };
}

export type Mint = (org: string) => Promise<DataPlaneToken>;

/** One per org: hands out a valid token, renewing in the background and deduplicating mints. */
export class TokenManager {
  private held: HeldToken | null = null;
  private inflight: Promise<HeldToken> | null = null;
  constructor(
    readonly orgId: string,
    private readonly mint: Mint = control.dataPlaneToken,
    private readonly clock: () => number = Date.now,
  ) {}

  async get(): Promise<HeldToken> {
    const now = this.clock();
    const h = this.held;
    if (h && now < h.refreshAt) return h;
    if (h && now < h.hardExpiry) {
      void this.renew().catch(() => undefined); // keep serving the current one meanwhile
      return h;
    }
    return this.renew();
  }

  /** Drop the current token (e.g. after a 401) so the next get() mints a new one. */
  invalidate(): void {
    this.held = null;
  }

  /** The data plane URL, if a token has been minted already. */
  get knownUrl(): string | null {
    return this.held?.dataPlaneUrl ?? null;
  }

  private renew(): Promise<HeldToken> {
    if (!this.inflight) {
      this.inflight = this.mint(this.orgId)
        .then((t) => {
          this.held = holdToken(t, this.clock());
          return this.held;
        })
        .finally(() => {
          this.inflight = null;
        });
    }
    return this.inflight;
  }
}
