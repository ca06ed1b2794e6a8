// A small LCS text diff, for output-vs-output and prompt-version comparisons.
// Common prefix and suffix are trimmed first (most real diffs are local), and inputs too
// large for the quadratic table fall back to coarser tokens so the page never stalls.

export type DiffOp = "eq" | "add" | "del";
export interface DiffPart { op: DiffOp; text: string }

/** Words and the whitespace/punctuation between them, so joining the tokens gives the text back. */
export function tokenizeWords(text: string): string[] {
  return text.match(/\s+|[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_]/gu) ?? [];
}

export function tokenizeLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** Cells of the LCS table we allow (Uint32 per cell: 4M cells = 16 MB at most). */
const MAX_CELLS = 4_000_000;

function push(out: DiffPart[], op: DiffOp, text: string): void {
  if (!text) return;
  const last = out[out.length - 1];
  if (last && last.op === op) last.text += text;
  else out.push({ op, text });
}

/**
 * Diff two token lists; parts of the same op are coalesced. When the changed middle is too
 * large for the table, it is re-tokenised with `coarser` (e.g. lines) or replaced whole.
 */
export function diffTokens(a: string[], b: string[], coarser?: (text: string) => string[]): DiffPart[] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const out: DiffPart[] = [];
  push(out, "eq", a.slice(0, start).join(""));
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  const n = midA.length;
  const m = midB.length;
  if (n > 0 && m > 0 && (n + 1) * (m + 1) > MAX_CELLS && coarser) {
    for (const p of diffTokens(coarser(midA.join("")), coarser(midB.join("")))) push(out, p.op, p.text);
  } else if (n === 0 || m === 0 || (n + 1) * (m + 1) > MAX_CELLS) {
    push(out, "del", midA.join(""));
    push(out, "add", midB.join(""));
  } else {
    // table[i][j] = LCS length of midA[i:] and midB[j:]
    const w = m + 1;
    const table = new Uint32Array((n + 1) * w);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        table[i * w + j] = midA[i] === midB[j]
          ? table[(i + 1) * w + j + 1] + 1
          : Math.max(table[(i + 1) * w + j], table[i * w + j + 1]);
      }
    }
    let i = 0;
    let j = 0;
    while (i < n && j < m) {
      if (midA[i] === midB[j]) {
        push(out, "eq", midA[i]);
        i++;
        j++;
      } else if (table[(i + 1) * w + j] >= table[i * w + j + 1]) {
        push(out, "del", midA[i++]);
      } else {
        push(out, "add", midB[j++]);
      }
    }
    while (i < n) push(out, "del", midA[i++]);
    while (j < m) push(out, "add", midB[j++]);
  }
  push(out, "eq", a.slice(endA).join(""));
  return out;
}

/**
 * Make a word diff readable: short unchanged pieces (whitespace, a lone punctuation mark)
 * caught between changes are folded into them, and each changed stretch is shown as one
 * deletion followed by one insertion instead of a zigzag of single words.
 */
export function cleanupDiff(parts: DiffPart[]): DiffPart[] {
  const out: DiffPart[] = [];
  let i = 0;
  while (i < parts.length) {
    if (parts[i].op === "eq") {
      push(out, "eq", parts[i].text);
      i++;
      continue;
    }
    let del = "";
    let add = "";
    let j = i;
    while (j < parts.length) {
      const p = parts[j];
      if (p.op === "del") del += p.text;
      else if (p.op === "add") add += p.text;
      else if (/^[\s\p{P}]{0,2}$/u.test(p.text) && j + 1 < parts.length && parts[j + 1].op !== "eq") {
        del += p.text;
        add += p.text;
      } else break;
      j++;
    }
    push(out, "del", del);
    push(out, "add", add);
    i = j;
  }
  return out;
}

/** Word-level diff; falls back to line level when the texts are too long for words. */
export function diffText(a: string, b: string): DiffPart[] {
  return cleanupDiff(diffTokens(tokenizeWords(a), tokenizeWords(b), tokenizeLines));
}

export function diffLines(a: string, b: string): DiffPart[] {
  return diffTokens(tokenizeLines(a), tokenizeLines(b));
}

/** Share of unchanged characters, 0..1 (1 = identical): 2*same / (len(a) + len(b)). */
export function similarity(parts: DiffPart[]): number {
  let same = 0;
  let changed = 0;
  for (const p of parts) {
    if (p.op === "eq") same += p.text.length;
    else changed += p.text.length;
  }
  const total = 2 * same + changed;
  return total === 0 ? 1 : (2 * same) / total;
}
