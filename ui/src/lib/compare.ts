// Per-case score differences between an experiment and its baselines. Deltas are computed
// here (primary − baseline) so the meaning of a sign never depends on the server.
import type { CompareCase, CompareResult } from "../api/types";

export type Change = "regression" | "improvement" | "same" | "missing";

/** Delta of one score for one case, or null when either side lacks it. */
export function scoreDelta(c: CompareCase, primary: string, baseline: string, score: string): number | null {
  const a = c.rows[primary]?.scores?.[score];
  const b = c.rows[baseline]?.scores?.[score];
  return typeof a === "number" && typeof b === "number" ? a - b : null;
}

const EPS = 1e-9;

/** A case regressed if any considered score went down, improved if some went up and none down. */
export function classifyCase(c: CompareCase, primary: string, baseline: string, scores: string[]): Change {
  let up = false;
  let down = false;
  let any = false;
  for (const s of scores) {
    const d = scoreDelta(c, primary, baseline, s);
    if (d === null) continue;
    any = true;
    if (d > EPS) up = true;
    if (d < -EPS) down = true;
  }
  if (!any) return "missing";
  if (down) return "regression";
  if (up) return "improvement";
  return "same";
}

export interface ScoreComparison { score: string; means: Record<string, number | null>; improvements: number; regressions: number }

export function compareScores(cases: CompareCase[], expIds: string[], scores: string[]): ScoreComparison[] {
  const [primary, baseline] = expIds;
  return scores.map((score) => {
    const means: Record<string, number | null> = {};
    for (const id of expIds) {
      let sum = 0;
      let n = 0;
      for (const c of cases) {
        const v = c.rows[id]?.scores?.[score];
        if (typeof v === "number") {
          sum += v;
          n++;
        }
      }
      means[id] = n ? sum / n : null;
    }
    let improvements = 0;
    let regressions = 0;
    if (baseline) {
      for (const c of cases) {
        const d = scoreDelta(c, primary, baseline, score);
        if (d !== null && d > EPS) improvements++;
        if (d !== null && d < -EPS) regressions++;
      }
    }
    return { score, means, improvements, regressions };
  });
}

/** Output text for diffing: strings as they are, anything else as pretty JSON. */
export function outputText(v: unknown): string {
  if (v === undefined || v === null) return "";
  if (typeof v === "string") return v;
  try {
    return JSON.stringify(v, null, 2);
  } catch {
    return String(v);
  }
}

/** Score names of a compare answer (the server lists them as names or as {name, experiments}). */
export function compareScoreNames(r: Pick<CompareResult, "scores"> | null | undefined): string[] {
  return (r?.scores ?? []).map((s) => (typeof s === "string" ? s : s.name)).filter((n): n is string => typeof n === "string");
}
