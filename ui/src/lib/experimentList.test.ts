import { describe, expect, it } from "vitest";
import type { ExperimentSummary } from "../api/types";
import { eachLimited, mergeExperiments, scoreNames, scoreSeries } from "./experimentList";

describe("experiment list", () => {
  it("merges the two planes' views, newest first", () => {
    const merged = mergeExperiments(
      [{ id: "a", name: "a", project_id: "p", created: "2026-01-01T00:00:00Z", user_id: "u1" }],
      [
        { id: "a", name: "a", object_type: "experiment", project_id: "p", created: "2026-01-01T00:00:00Z" },
        { id: "b", name: "b", object_type: "experiment", project_id: "p", created: "2026-01-02T00:00:00Z" },
      ],
      "p",
    );
    expect(merged.map((e) => e.id)).toEqual(["b", "a"]);
    expect(merged[1].user_id).toBe("u1");
    expect(mergeExperiments(null, null, "p")).toEqual([]);
  });

  it("orders score names by frequency and builds series oldest-first", () => {
    const s = new Map<string, ExperimentSummary>([
      ["a", { scores: { acc: { name: "acc", score: 0.5 }, f: { name: "f", score: 0.1 } } }],
      ["b", { scores: { acc: { name: "acc", score: 0.7 } } }],
    ]);
    expect(scoreNames(s.values())).toEqual(["acc", "f"]);
    const series = scoreSeries(
      [
        { id: "b", name: "B", project_id: "p", created: "2026-01-02T00:00:00Z" },
        { id: "a", name: "A", project_id: "p", created: "2026-01-01T00:00:00Z" },
      ],
      s,
      ["acc", "f"],
    );
    expect(series[0].points.map((p) => [p.label, p.y])).toEqual([["A", 0.5], ["B", 0.7]]);
    expect(series[1].points.length).toBe(1);
  });

  it("limits concurrency", async () => {
    let inflight = 0;
    let peak = 0;
    await eachLimited([1, 2, 3, 4, 5, 6], 2, async () => {
      inflight++;
      peak = Math.max(peak, inflight);
      await new Promise((r) => setTimeout(r, 1));
      inflight--;
    });
    expect(peak).toBe(2);
  });
});
