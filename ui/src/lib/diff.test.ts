import { describe, expect, it } from "vitest";
import { cleanupDiff, diffLines, diffText, diffTokens, similarity, tokenizeWords } from "./diff";

const join = (parts: { op: string; text: string }[], keep: string[]) =>
  parts.filter((p) => keep.includes(p.op)).map((p) => p.text).join("");

describe("diff", () => {
  it("tokenizes words and keeps every character", () => {
    const t = "Hello, world!  It's 42.";
    expect(tokenizeWords(t).join("")).toBe(t);
  });

  it("marks a changed word", () => {
    const parts = diffText("the cat sat", "the dog sat");
    expect(parts).toEqual([
      { op: "eq", text: "the " },
      { op: "del", text: "cat" },
      { op: "add", text: "dog" },
      { op: "eq", text: " sat" },
    ]);
  });

  it("reconstructs both sides", () => {
    const a = "Paris is the capital of France. It has 2 million people.";
    const b = "Paris is the capital and largest city of France. It has about 2.1 million people.";
    const parts = diffText(a, b);
    expect(join(parts, ["eq", "del"])).toBe(a);
    expect(join(parts, ["eq", "add"])).toBe(b);
  });

  it("handles empty sides", () => {
    expect(diffText("", "new")).toEqual([{ op: "add", text: "new" }]);
    expect(diffText("old", "")).toEqual([{ op: "del", text: "old" }]);
    expect(diffText("", "")).toEqual([]);
  });

  it("identical texts are one eq part and similarity 1", () => {
    const parts = diffText("same text", "same text");
    expect(parts).toEqual([{ op: "eq", text: "same text" }]);
    expect(similarity(parts)).toBe(1);
    expect(similarity(diffText("abc", "xyz"))).toBe(0);
  });

  it("diffs lines", () => {
    const parts = diffLines("a\nb\nc\n", "a\nB\nc\n");
    expect(parts).toEqual([
      { op: "eq", text: "a\n" },
      { op: "del", text: "b\n" },
      { op: "add", text: "B\n" },
      { op: "eq", text: "c\n" },
    ]);
  });

  it("stays fast and correct on large inputs", () => {
    const a = Array.from({ length: 5000 }, (_, i) => `w${i}`).join(" ");
    const b = a.replace("w2500", "changed");
    const t0 = performance.now();
    const parts = diffText(a, b);
    expect(performance.now() - t0).toBeLessThan(500);
    expect(join(parts, ["eq", "add"])).toBe(b);
    expect(parts.filter((p) => p.op !== "eq")).toEqual([
      { op: "del", text: "w2500" },
      { op: "add", text: "changed" },
    ]);
  });

  it("falls back to whole replacement past the cell budget", () => {
    const a = Array.from({ length: 3000 }, (_, i) => `a${i}`);
    const b = Array.from({ length: 3000 }, (_, i) => `b${i}`);
    const parts = diffTokens(a, b);
    expect(parts.map((p) => p.op)).toEqual(["del", "add"]);
  });
});

describe("diff cleanup", () => {
  it("folds whitespace between changes into one replacement", () => {
    expect(cleanupDiff([
      { op: "eq", text: "Go " }, { op: "del", text: "please" }, { op: "add", text: "to" }, { op: "eq", text: " " },
      { op: "del", text: "check" }, { op: "add", text: "Settings" }, { op: "eq", text: " now" },
    ])).toEqual([
      { op: "eq", text: "Go " }, { op: "del", text: "please check" }, { op: "add", text: "to Settings" }, { op: "eq", text: " now" },
    ]);
  });

  it("keeps both sides reconstructible on real text", () => {
    const a = "Go — please check our help center.";
    const b = "Go to Settings → Security and click Reset password. Let me know if you need anything else!";
    const parts = diffText(a, b);
    expect(join(parts, ["eq", "del"])).toBe(a);
    expect(join(parts, ["eq", "add"])).toBe(b);
    expect(parts.filter((p) => p.op === "del").length).toBeLessThanOrEqual(2);
  });
});
