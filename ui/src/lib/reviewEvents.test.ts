import { describe, expect, it } from "vitest";
import { safeNext } from "./redirect";
import { reviewEvents } from "./reviewEvents";

describe("review events", () => {
  const now = new Date("2026-01-01T00:00:00Z");
  it("writes a merge row for scores and a comment row pointing at the reviewed row", () => {
    expect(reviewEvents({ id: "r1" }, { acc: 0.8 }, "  too long ", now, () => "c1")).toEqual([
      { id: "r1", _is_merge: true, scores: { acc: 0.8 }, _audit_source: "app" },
      { id: "c1", created: "2026-01-01T00:00:00.000Z", origin: { id: "r1" }, comment: { text: "too long" }, _audit_source: "app" },
    ]);
  });
  it("writes nothing for an empty review", () => {
    expect(reviewEvents({ id: "r1" }, {}, "   ", now)).toEqual([]);
  });
  it("comment-only reviews do not touch scores", () => {
    expect(reviewEvents({ id: "r1" }, {}, "ok", now, () => "c2").map((e) => e.id)).toEqual(["c2"]);
  });
});

describe("sign-in redirect", () => {
  it("keeps same-site paths only", () => {
    expect(safeNext("/o/1/p/2/logs?filter=a")).toBe("/o/1/p/2/logs?filter=a");
    expect(safeNext("https://evil.example")).toBe("/");
    expect(safeNext("//evil.example")).toBe("/");
    expect(safeNext("/\\evil.example")).toBe("/");
    expect(safeNext("/\nfoo")).toBe("/");
    expect(safeNext(null)).toBe("/");
  });
});
