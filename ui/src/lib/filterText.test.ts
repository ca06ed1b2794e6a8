import { describe, expect, it } from "vitest";
import { andFilters, fieldRef, normalizeFilter, quote, scoreFilter, timeRangeFilter } from "./filterText";

describe("filter text", () => {
  it("quotes strings so they cannot break out", () => {
    expect(quote("gpt-4o")).toBe("'gpt-4o'");
    expect(quote("it's")).toBe("'it\\'s'");
    expect(quote("a\\' OR 1=1 --")).toBe("'a\\\\\\' OR 1=1 --'");
  });

  it("references fields, quoting odd names", () => {
    expect(fieldRef(["scores", "Factuality"])).toBe("scores.Factuality");
    expect(fieldRef(["metadata", "user id"])).toBe('metadata."user id"');
    expect(fieldRef(["scores", 'a"b'])).toBe('scores."a\\"b"');
  });

  it("normalizes user text", () => {
    expect(normalizeFilter("  scores.x < 0.5 ;; ")).toBe("scores.x < 0.5");
    expect(normalizeFilter("   ")).toBe("");
    expect(normalizeFilter(undefined)).toBe("");
  });

  it("ANDs fragments with parentheses, skipping blanks", () => {
    expect(andFilters("", null, undefined)).toBeUndefined();
    expect(andFilters("a = 1", " ")).toBe("a = 1");
    expect(andFilters("a = 1 OR b = 2", "c = 3")).toBe("(a = 1 OR b = 2) AND (c = 3)");
  });

  it("builds time ranges", () => {
    const now = Date.parse("2026-01-02T00:00:00Z");
    expect(timeRangeFilter("all", now)).toBeUndefined();
    expect(timeRangeFilter("24h", now)).toBe("created >= '2026-01-01T00:00:00.000Z'");
    expect(timeRangeFilter("15m", now)).toBe("created >= '2026-01-01T23:45:00.000Z'");
  });

  it("builds score filters", () => {
    expect(scoreFilter("Exact Match", "<", 0.5)).toBe('scores."Exact Match" < 0.5');
    expect(scoreFilter("acc", "IS NOT NULL")).toBe("scores.acc IS NOT NULL");
  });
});
