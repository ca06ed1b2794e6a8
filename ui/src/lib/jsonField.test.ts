import { describe, expect, it } from "vitest";
import { fromEditable, parseMetadata, parseTags, toEditable } from "./jsonField";

describe("json fields", () => {
  it("round-trips values through the editor", () => {
    for (const v of ["hello world", "42", { a: [1, 2] }, 42, true, ["x"]]) {
      expect(fromEditable(toEditable(v))).toEqual(v);
    }
    expect(toEditable(null)).toBe("");
    expect(fromEditable("   ")).toBeNull();
  });
  it("requires metadata to be an object", () => {
    expect(parseMetadata('{"a":1}')).toEqual({ ok: true, value: { a: 1 } });
    expect(parseMetadata("")).toEqual({ ok: true, value: null });
    expect(parseMetadata("[1]").ok).toBe(false);
    expect(parseMetadata("{oops").ok).toBe(false);
  });
  it("splits tags", () => {
    expect(parseTags(" a, b ,a,, ")).toEqual(["a", "b"]);
    expect(parseTags("")).toBeNull();
  });
});
