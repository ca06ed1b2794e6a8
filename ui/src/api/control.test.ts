import { afterEach, describe, expect, it, vi } from "vitest";
import { control, csrfToken, setCsrfToken } from "./control";

afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(null);
});

function ok(body: unknown): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
}

describe("control client", () => {
  it("reads the CSRF token from the tp_csrf cookie, else from /auth/me", () => {
    expect(csrfToken("a=1; tp_csrf=abc%3D; b=2")).toBe("abc=");
    setCsrfToken("from-me");
    expect(csrfToken("a=1")).toBe("from-me");
  });

  it("sends X-CSRF-Token on writes only, and keeps the cookie same-origin", async () => {
    setCsrfToken("t0k");
    const fetchMock = vi.fn(async () => ok({ id: "p1", org_id: "o", name: "x" }));
    vi.stubGlobal("fetch", fetchMock);
    await control.createProject("o1", "x");
    await control.project("p1");
    const [postUrl, post] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    const [, get] = fetchMock.mock.calls[1] as unknown as [string, RequestInit];
    expect(postUrl).toBe("/api/v1/orgs/o1/projects");
    expect((post.headers as Record<string, string>)["X-CSRF-Token"]).toBe("t0k");
    expect((get.headers as Record<string, string>)["X-CSRF-Token"]).toBeUndefined();
    expect(post.credentials).toBe("same-origin");
  });

  it("walks cursor pages of a list", async () => {
    const fetchMock = vi.fn()
      .mockResolvedValueOnce(ok({ objects: [{ id: "a" }], cursor: "c1" }))
      .mockResolvedValueOnce(ok({ objects: [{ id: "b" }], cursor: null }));
    vi.stubGlobal("fetch", fetchMock);
    const all = await control.projects("o1");
    expect(all.map((p) => p.id)).toEqual(["a", "b"]);
    expect((fetchMock.mock.calls[1] as unknown as [string])[0]).toContain("cursor=c1");
  });

  it("escapes ids in paths", async () => {
    const fetchMock = vi.fn(async () => ok({}));
    vi.stubGlobal("fetch", fetchMock);
    await control.revokeApiKey("o/1", "../k");
    expect((fetchMock.mock.calls[0] as unknown as [string])[0]).toBe("/api/v1/orgs/o%2F1/api-keys/..%2Fk");
  });
});
