import { describe, expect, it } from "vitest";
import { appPath, basePath, routePath } from "./base";

describe("base path", () => {
  it("is empty at a host's root and the prefix behind a proxy", () => {
    expect(basePath("http://localhost:8000/")).toBe("");
    expect(basePath("https://example.com/twinplane/")).toBe("/twinplane");
    expect(basePath("https://example.com/a/b/")).toBe("/a/b");
    expect(basePath(undefined)).toBe("");
    expect(basePath("not a url")).toBe("");
  });

  it("prefixes app paths and takes the prefix off locations", () => {
    expect(appPath("/api/v1/auth/me", "/twinplane")).toBe("/twinplane/api/v1/auth/me");
    expect(appPath("/login?next=%2F", "")).toBe("/login?next=%2F");
    expect(routePath("/twinplane/o/org-1/p/x", "/twinplane")).toBe("/o/org-1/p/x");
    expect(routePath("/twinplane", "/twinplane")).toBe("/");
    expect(routePath("/twinplanex/o", "/twinplane")).toBe("/twinplanex/o");
    expect(routePath("/o/org-1", "")).toBe("/o/org-1");
  });
});
