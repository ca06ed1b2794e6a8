import { useMemo } from "react";
import { diffLines, diffText, type DiffPart } from "../lib/diff";

export function TextDiffView({ before, after, mode = "words" }: { before: string; after: string; mode?: "words" | "lines" }) {
  const parts: DiffPart[] = useMemo(() => (mode === "lines" ? diffLines(before, after) : diffText(before, after)), [before, after, mode]);
  return (
    <div className={`diff${mode === "lines" ? " diff-lines mono" : ""}`} data-testid="text-diff">
      {parts.map((p, i) => (
        <span key={i} className={p.op === "eq" ? undefined : p.op}>{p.text}</span>
      ))}
    </div>
  );
}
