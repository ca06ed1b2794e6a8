import { describe, expect, it } from "vitest";
import { parseDatasetFile, toJsonl } from "./datasetImport";

describe("dataset import", () => {
  it("reads JSONL with known fields, output as expected, and bare objects as input", () => {
    const r = parseDatasetFile('{"input": "q1", "expected": "a1", "tags": ["x"]}\n\n{"input": "q2", "output": "a2", "id": "r2"}\n{"question": "q3"}\n');
    expect(r.errors).toEqual([]);
    expect(r.rows).toEqual([
      { input: "q1", expected: "a1", tags: ["x"] },
      { input: "q2", expected: "a2", id: "r2" },
      { input: { question: "q3" } },
    ]);
  });
  it("reads a JSON array", () => {
    expect(parseDatasetFile('[{"input": 1}, {"input": 2, "metadata": {"k": "v"}}]').rows).toEqual([
      { input: 1, expected: null }, { input: 2, expected: null, metadata: { k: "v" } },
    ]);
  });
  it("reports bad lines with their numbers and keeps the good ones", () => {
    const r = parseDatasetFile('{"input": 1}\nnot json\n[1]\n{"input": 2, "tags": "x"}\n{"input": 3, "metadata": [1]}');
    expect(r.rows).toHaveLength(1);
    expect(r.errors).toEqual([
      "line 2: not valid JSON", "line 3: expected a JSON object", 'line 4: "tags" must be a list of strings',
      'line 5: "metadata" must be an object',
    ]);
    expect(parseDatasetFile("  ").errors).toEqual(["the file is empty"]);
  });
  it("exports rows as JSONL the importer reads back", () => {
    const text = toJsonl([{ id: "a", input: "q", expected: "x", span_id: "s" }]);
    expect(text).toBe('{"id":"a","input":"q","expected":"x"}\n');
    expect(parseDatasetFile(text).rows).toEqual([{ id: "a", input: "q", expected: "x" }]);
  });
});
