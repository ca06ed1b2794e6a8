import { afterEach, describe, expect, it, vi } from "vitest";
import { DataClient } from "./data";
import { UnreachableError } from "./http";
import { TokenManager } from "./token";

function client() {
  let n = 0;
  const mint = vi.fn(async () => ({ token: `tok${++n}`, expires_at: new Date(Date.now() + 300_000).toISOString(), data_plane_url: "http://dp.test:8100/" }));
  return { c: new DataClient(new TokenManager("org1", mint)), mint };
}

function respond(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

afterEach(() => vi.unstubAllGlobals());

describe("DataClient", () => {
  it("sends the bearer token to the data plane, without cookies", async () => {
    const fetchMock = vi.fn(async () => respond(200, { data: [], cursor: null }));
    vi.stubGlobal("fetch", fetchMock);
    const { c } = client();
    await c.query({ object_type: "experiment", object_id: "e1" });
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe("http://dp.test:8100/v1/query");
    expect((init.headers as Record<string, string>).Authorization).toBe("Bearer tok1");
    expect(init.credentials).toBe("omit");
    expect(JSON.parse(String(init.body))).toEqual({ object_type: "experiment", object_id: "e1" });
  });

  it("mints a new token once after a 401 and retries", async () => {
    const fetchMock = vi.fn()
      .mockResolvedValueOnce(respond(401, { error: { code: "unauthorized", message: "expired" } }))
      .mockResolvedValueOnce(respond(200, { objects: [] }));
    vi.stubGlobal("fetch", fetchMock);
    const { c, mint } = client();
    await c.listExperiments("p1");
    expect(mint).toHaveBeenCalledTimes(2);
    expect(((fetchMock.mock.calls[1] as unknown as [string, RequestInit])[1].headers as Record<string, string>).Authorization).toBe("Bearer tok2");
  });

  it("does not loop on a persistent 401 and reports the server's message", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => respond(401, { error: { code: "unauthorized", message: "token for another org" } })));
    const { c } = client();
    await expect(c.listDatasets("p1")).rejects.toMatchObject({ status: 401, plane: "data", message: "token for another org" });
  });

  it("turns a network failure into UnreachableError naming the data plane", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => { throw new TypeError("Failed to fetch"); }));
    const { c } = client();
    const err = await c.listPrompts("p1").catch((e) => e);
    expect(err).toBeInstanceOf(UnreachableError);
    expect(err.url).toBe("http://dp.test:8100");
    expect(err.plane).toBe("data");
  });

  it("keeps 400 filter errors as ApiError with the message", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => respond(400, { error: { code: "bad_request", message: "filter: at position 3: unexpected '<'" } })));
    const { c } = client();
    await expect(c.query({ object_type: "experiment", object_id: "e", filter: "a <<< 1" })).rejects.toMatchObject({
      status: 400, message: "filter: at position 3: unexpected '<'",
    });
  });
});

describe("object types in paths", () => {
  it("refuses unknown object types before any request", async () => {
    const fetchMock = vi.fn();
    vi.stubGlobal("fetch", fetchMock);
    const { c } = client();
    await expect(c.insert("../admin" as never, "x", [])).rejects.toThrow("unknown object type");
    expect(fetchMock).not.toHaveBeenCalled();
  });
});
