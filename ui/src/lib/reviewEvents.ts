// The rows a human review writes (contracts §4): a merge row with the scores on the
// reviewed row, and a separate comment row pointing at it through origin.id.
import type { Row } from "../api/types";

export function reviewEvents(row: Pick<Row, "id">, scores: Record<string, number>, comment: string, now: Date,
  newId: () => string = () => crypto.randomUUID()): Partial<Row>[] {
  const events: Partial<Row>[] = [];
  if (Object.keys(scores).length > 0) {
    events.push({ id: row.id, _is_merge: true, scores, _audit_source: "app" });
  }
  const text = comment.trim();
  if (text) {
    events.push({ id: newId(), created: now.toISOString(), origin: { id: row.id }, comment: { text }, _audit_source: "app" });
  }
  return events;
}
