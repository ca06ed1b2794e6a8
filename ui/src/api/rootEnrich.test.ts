import { describe, expect, it } from "vitest";
import { mergeTraceStats, needsEnrichment } from "./rootEnrich";

describe("root enrichment", () => {
  it("is needed for pages of trace roots", () => {
    expect(needsEnrichment([{ id: "1", root_span_id: "r" }])).toBe(true);
    expect(needsEnrichment([{ id: "1" }])).toBe(false);
  });

  it("fills trace scores, tokens and span counts without overwriting the row's own", () => {
    const rows = mergeTraceStats(
      [{ id: "1", root_span_id: "r1", scores: { human: 1 } }, { id: "2", root_span_id: "r2", metrics: { tokens: 5 } }, { id: "3", root_span_id: "r3" }],
      [{ root_span_id: "r1", s0: 0.5, s1: null, tok: 100, n: 4 }, { root_span_id: "r2", s0: 1, tok: 999, n: 2 }],
      ["acc", "f1"],
    );
    expect(rows[0].scores).toEqual({ human: 1, acc: 0.5 });
    expect(rows[0].metrics?.tokens).toBe(100);
    expect(rows[0].span_count).toBe(4);
    expect(rows[1].metrics?.tokens).toBe(5);
    expect(rows[2]).toEqual({ id: "3", root_span_id: "r3" });
  });
});
