import { describe, expect, it } from "vitest";
import { bucketFor, mergeBucketRows, toBuckets } from "./VolumeChart";

describe("volume buckets", () => {
  it("parses and orders aggregate rows", () => {
    expect(toBuckets([
      { created_bucket: "2026-01-01T01:00:00Z", n: 3, errors: 1 },
      { created_bucket: "2026-01-01T00:00:00Z", n: 2 },
      { created_bucket: null, n: 9 },
    ])).toEqual([
      { start: Date.parse("2026-01-01T00:00:00Z"), count: 2, errors: 0 },
      { start: Date.parse("2026-01-01T01:00:00Z"), count: 3, errors: 1 },
    ]);
  });
  it("picks a bucket per range", () => {
    expect(bucketFor("24h").interval).toBe("30m");
    expect(bucketFor("all").ms).toBe(86_400_000);
  });
});

describe("merging bucket counts", () => {
  it("adds error counts to matching buckets", () => {
    expect(mergeBucketRows([{ created_bucket: "a", n: 3 }, { created_bucket: "b", n: 1 }], [{ created_bucket: "a", errors: 2 }]))
      .toEqual([{ created_bucket: "a", n: 3, errors: 2 }, { created_bucket: "b", n: 1, errors: 0 }]);
  });
});
