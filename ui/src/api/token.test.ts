import { describe, expect, it } from "vitest";
import { holdToken, NoDataPlaneError, TokenManager, tokenLifetimeMs, tokenSchedule } from "./token";
import type { DataPlaneToken } from "./types";

function jwt(claims: Record<string, unknown>): string {
  const b64 = (o: unknown) => btoa(JSON.stringify(o)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  return `${b64({ alg: "ES256", kid: "k1" })}.${b64(claims)}.sig`;
}

describe("token timing", () => {
  it("measures the lifetime from the JWT's own claims, not the local clock", () => {
    const t = jwt({ iat: 1000, exp: 1300 });
    // expires_at says the past by our (skewed) clock; the claims still say 5 minutes.
    expect(tokenLifetimeMs(t, "2000-01-01T00:00:00Z", Date.parse("2030-01-01T00:00:00Z"))).toBe(300_000);
  });

  it("falls back to expires_at when the token has no claims", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(tokenLifetimeMs("opaque", "2026-01-01T00:02:00Z", now)).toBe(120_000);
  });

  it("renews a 5-minute token 75 s before expiry and stops sending 5 s before", () => {
    const s = tokenSchedule(300_000, 0);
    expect(s.refreshAt).toBe(225_000);
    expect(s.hardExpiry).toBe(295_000);
  });

  it("keeps at least a 30 s margin for short tokens", () => {
    const s = tokenSchedule(60_000, 10_000);
    expect(s.refreshAt).toBe(40_000);
    expect(s.hardExpiry).toBe(65_000);
  });

  it("never schedules a renewal before receipt or after hard expiry", () => {
    const s = tokenSchedule(10_000, 500);
    expect(s.refreshAt).toBe(500);
    expect(s.hardExpiry).toBe(5_500);
  });
});

describe("TokenManager", () => {
  function setup() {
    let now = 0;
    let minted = 0;
    const mint = async (): Promise<DataPlaneToken> => {
      minted++;
      return { token: jwt({ iat: 0, exp: 300, n: minted }), expires_at: "", data_plane_url: "http://dp.example:8100/" };
    };
    const m = new TokenManager("org1", mint, () => now);
    return { m, setNow: (t: number) => (now = t), minted: () => minted };
  }

  it("mints once for concurrent callers and strips the trailing slash", async () => {
    const { m, minted } = setup();
    const [a, b] = await Promise.all([m.get(), m.get()]);
    expect(minted()).toBe(1);
    expect(a.token).toBe(b.token);
    expect(a.dataPlaneUrl).toBe("http://dp.example:8100");
  });

  it("reuses while fresh, renews in the background when due, re-mints after expiry", async () => {
    const { m, setNow, minted } = setup();
    const first = await m.get();
    setNow(100_000);
    expect((await m.get()).token).toBe(first.token);
    expect(minted()).toBe(1);
    setNow(230_000); // past refreshAt: still served, renewal started
    expect((await m.get()).token).toBe(first.token);
    await Promise.resolve();
    await Promise.resolve();
    expect(minted()).toBe(2);
    setNow(10_000_000); // far past expiry: must wait for a new one
    const later = await m.get();
    expect(minted()).toBe(3);
    expect(later.token).not.toBe(first.token);
  });

  it("invalidate forces a new token", async () => {
    const { m, minted } = setup();
    await m.get();
    m.invalidate();
    await m.get();
    expect(minted()).toBe(2);
  });
});

describe("no data plane", () => {
  it("says so instead of failing on a null URL", () => {
    expect(() => holdToken({ token: "t", expires_at: "", data_plane_url: null as unknown as string }, 0)).toThrow(NoDataPlaneError);
  });
});
