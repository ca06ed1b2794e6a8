// Keyboard scoring in the review queue: digits 1–9 give 10 %–90 %, 0 gives 100 %,
// and "-" (or "x") gives 0 %. Everything else is not a score key.
export function keyToScore(key: string): number | null {
  if (key === "0") return 1;
  if (key.length === 1 && key >= "1" && key <= "9") return Number(key) / 10;
  if (key === "-" || key === "x") return 0;
  return null;
}

/** Index after moving by `delta` within `length` items, clamped (j/k navigation). */
export function moveIndex(index: number, delta: number, length: number): number {
  if (length <= 0) return 0;
  return Math.min(length - 1, Math.max(0, index + delta));
}
