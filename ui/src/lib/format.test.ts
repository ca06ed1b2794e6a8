import { describe, expect, it } from "vitest";
import { formatDiff, formatDuration, formatScore, formatXact, relativeTime, spanDuration, totalTokens } from "./format";

describe("format", () => {
  it("formats durations without float artefacts", () => {
    expect(formatDuration(0.000999999)).toBe("1ms");
    expect(formatDuration(0.0005)).toBe("500µs");
    expect(formatDuration(0.9996)).toBe("1.00s");
    expect(formatDuration(1.234)).toBe("1.23s");
    expect(formatDuration(75)).toBe("1m 15s");
    expect(formatDuration(null)).toBe("–");
  });
  it("formats scores and diffs", () => {
    expect(formatScore(0.8633)).toBe("86.3%");
    expect(formatScore(1)).toBe("100%");
    expect(formatScore(undefined)).toBe("–");
    expect(formatDiff(0.083)).toBe("+8.3pp");
    expect(formatDiff(-0.25)).toBe("−25.0pp");
    expect(formatDiff(0)).toBe("±0");
  });
  it("reads metrics", () => {
    expect(spanDuration({ start: 1, end: 3.5 })).toBe(2.5);
    expect(spanDuration({ start: 1 })).toBeNull();
    expect(totalTokens({ prompt_tokens: 3, completion_tokens: 4 })).toBe(7);
    expect(totalTokens({ tokens: 9, prompt_tokens: 3 })).toBe(9);
    expect(totalTokens({})).toBeNull();
  });
  it("says how long ago", () => {
    const now = Date.parse("2026-01-01T12:00:00Z");
    expect(relativeTime("2026-01-01T11:59:50Z", now)).toBe("just now");
    expect(relativeTime("2026-01-01T11:00:00Z", now)).toBe("1h ago");
    expect(relativeTime("2025-12-30T12:00:00Z", now)).toBe("2d ago");
  });
});

describe("transaction ids", () => {
  it("drops the padding", () => {
    expect(formatXact("0000000000000000081")).toBe("#81");
    expect(formatXact("0000000000000000000")).toBe("#0");
    expect(formatXact(null)).toBe("–");
  });
});
