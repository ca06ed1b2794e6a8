import { describe, expect, it } from "vitest";
import type { CompareCase } from "../api/types";
import { classifyCase, compareScoreNames, compareScores, outputText, scoreDelta } from "./compare";

const c = (a: Record<string, number> | null, b: Record<string, number> | null): CompareCase => ({
  key: "k", input: "q",
  rows: {
    A: a ? { id: "1", root_span_id: "r1", scores: a } : undefined,
    B: b ? { id: "2", root_span_id: "r2", scores: b } : undefined,
  },
});

describe("compare", () => {
  it("computes primary minus baseline", () => {
    expect(scoreDelta(c({ acc: 0.8 }, { acc: 0.5 }), "A", "B", "acc")).toBeCloseTo(0.3);
    expect(scoreDelta(c({ acc: 0.8 }, null), "A", "B", "acc")).toBeNull();
  });

  it("classifies cases", () => {
    expect(classifyCase(c({ acc: 0.8 }, { acc: 0.5 }), "A", "B", ["acc"])).toBe("improvement");
    expect(classifyCase(c({ acc: 0.4, f: 1 }, { acc: 0.5, f: 0 }), "A", "B", ["acc", "f"])).toBe("regression");
    expect(classifyCase(c({ acc: 0.5 }, { acc: 0.5 }), "A", "B", ["acc"])).toBe("same");
    expect(classifyCase(c({ acc: 0.5 }, null), "A", "B", ["acc"])).toBe("missing");
    // Only the chosen score counts.
    expect(classifyCase(c({ acc: 0.4, f: 1 }, { acc: 0.5, f: 0 }), "A", "B", ["f"])).toBe("improvement");
  });

  it("summarises means and counts", () => {
    const s = compareScores([c({ acc: 1 }, { acc: 0 }), c({ acc: 0 }, { acc: 0.5 }), c({ acc: 1 }, null)], ["A", "B"], ["acc"]);
    expect(s[0].means.A).toBeCloseTo(2 / 3);
    expect(s[0].means.B).toBeCloseTo(0.25);
    expect(s[0].improvements).toBe(1);
    expect(s[0].regressions).toBe(1);
  });

  it("turns outputs into text", () => {
    expect(outputText("x")).toBe("x");
    expect(outputText({ a: 1 })).toBe('{\n  "a": 1\n}');
    expect(outputText(null)).toBe("");
  });
});

describe("compare score names", () => {
  it("accepts names or objects", () => {
    expect(compareScoreNames({ scores: ["a", { name: "b", experiments: { x: 1 } }] })).toEqual(["a", "b"]);
    expect(compareScoreNames(null)).toEqual([]);
  });
});
