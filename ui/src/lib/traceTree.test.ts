import { describe, expect, it } from "vitest";
import type { Row } from "../api/types";
import { ancestorKeys, buildTraceTree, flattenTree, sumMetric, traceScores } from "./traceTree";

const span = (id: string, parent: string | null, start: number, extra: Partial<Row> = {}): Row => ({
  id: `row-${id}`, span_id: id, root_span_id: "root", span_parents: parent ? [parent] : null,
  metrics: { start, end: start + 1 }, ...extra,
});

describe("trace tree", () => {
  it("builds parent/child links and flattens depth-first", () => {
    const tree = buildTraceTree([span("r", null, 0), span("a", "r", 1), span("b", "r", 2), span("a1", "a", 1.5)]);
    const flat = flattenTree(tree, new Set());
    expect(flat.map((v) => [v.node.key, v.depth])).toEqual([["r", 0], ["a", 1], ["a1", 2], ["b", 1]]);
    expect(tree.start).toBe(0);
    expect(tree.end).toBe(3);
  });

  it("hides the children of collapsed spans", () => {
    const tree = buildTraceTree([span("r", null, 0), span("a", "r", 1), span("a1", "a", 1.5)]);
    const flat = flattenTree(tree, new Set(["a"]));
    expect(flat.map((v) => v.node.key)).toEqual(["r", "a"]);
    expect(flat[1].collapsed).toBe(true);
    expect(flat[1].hasChildren).toBe(true);
  });

  it("keeps orphans at top level until their parent arrives, after the root", () => {
    const tree = buildTraceTree([span("x", "missing", 5), span("r", null, 0)]);
    expect(tree.roots.map((n) => n.key)).toEqual(["r", "x"]);
  });

  it("ignores duplicated spans across pages and separates comment rows", () => {
    const tree = buildTraceTree([
      span("r", null, 0), span("r", null, 0),
      { id: "c1", origin: { id: "row-r" }, comment: { text: "looks wrong" } },
    ]);
    expect(tree.size).toBe(1);
    expect(tree.comments.get("row-r")?.[0].comment?.text).toBe("looks wrong");
  });

  it("handles a 10,000-deep chain without recursion", () => {
    const rows: Row[] = [span("s0", null, 0)];
    for (let i = 1; i < 10_000; i++) rows.push(span(`s${i}`, `s${i - 1}`, i));
    const tree = buildTraceTree(rows);
    const flat = flattenTree(tree, new Set());
    expect(flat.length).toBe(10_000);
    expect(flat[9_999].depth).toBe(9_999);
    expect(ancestorKeys(tree, "s3")).toEqual(["s0", "s1", "s2"]);
  });

  it("sums metrics with fallbacks", () => {
    const tree = buildTraceTree([
      span("r", null, 0, { metrics: { start: 0, tokens: 10 } }),
      span("a", "r", 1, { metrics: { start: 1, total_tokens: 5 } }),
    ]);
    expect(sumMetric(tree, ["tokens", "total_tokens"])).toBe(15);
    expect(sumMetric(tree, ["estimated_cost"])).toBeNull();
  });
});

describe("trace scores", () => {
  it("averages each score over the spans carrying it", () => {
    const tree = buildTraceTree([
      span("r", null, 0, { scores: { human: 1 } }),
      span("s1", "r", 1, { scores: { acc: 0.5, human: null } }),
      span("s2", "r", 2, { scores: { acc: 1 } }),
    ]);
    expect(traceScores(tree)).toEqual({ human: 1, acc: 0.75 });
  });
});
