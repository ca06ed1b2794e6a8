// Joining what the two planes know about experiments, and shaping summaries for the chart.
import type { ExperimentMeta, ExperimentSummary, NamedObject } from "../api/types";

/** Data-plane metadata first; names only the control plane knows (e.g. no rows yet) are kept too. Newest first. */
export function mergeExperiments(meta: ExperimentMeta[] | null, names: NamedObject[] | null, projectId: string): ExperimentMeta[] {
  const byId = new Map<string, ExperimentMeta>();
  for (const n of names ?? []) byId.set(n.id, { id: n.id, name: n.name, project_id: projectId, created: n.created });
  for (const m of meta ?? []) byId.set(m.id, { ...byId.get(m.id), ...m });
  return [...byId.values()].sort((a, b) => (Date.parse(b.created ?? "") || 0) - (Date.parse(a.created ?? "") || 0));
}

/** Score names across summaries, most common first. */
export function scoreNames(summaries: Iterable<ExperimentSummary | undefined>): string[] {
  const counts = new Map<string, number>();
  for (const s of summaries) for (const k of Object.keys(s?.scores ?? {})) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([k]) => k);
}

/** One series per score: (experiment created time, mean score), oldest to newest. */
export function scoreSeries(exps: ExperimentMeta[], summaries: Map<string, ExperimentSummary>, names: string[]) {
  const ordered = [...exps].filter((e) => e.created).sort((a, b) => Date.parse(a.created!) - Date.parse(b.created!));
  return names.map((name) => ({
    name,
    points: ordered
      .map((e) => ({ x: Date.parse(e.created!), y: summaries.get(e.id)?.scores?.[name]?.score ?? null, label: e.name }))
      .filter((p) => p.y !== null),
  }));
}

/** Run `fn` over items with at most `limit` in flight (failures are skipped; `fn` reports its own results). */
export async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>, signal?: AbortSignal): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && !signal?.aborted) {
      const item = items[next++];
      await fn(item).catch(() => undefined);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
