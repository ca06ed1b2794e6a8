import { describe, expect, it } from "vitest";
import { asChatMessages, contentParts, templateVariables } from "./chat";
import { boundedJson, previewValue } from "./preview";
import { keyToScore, moveIndex } from "./reviewKeys";

describe("chat detection", () => {
  it("recognises message arrays, {messages}, and choices", () => {
    const msgs = [{ role: "user", content: "hi" }];
    expect(asChatMessages(msgs)).toEqual(msgs);
    expect(asChatMessages({ messages: msgs, model: "x" })).toEqual(msgs);
    expect(asChatMessages({ choices: [{ message: { role: "assistant", content: "yo" } }] })).toEqual([
      { role: "assistant", content: "yo" },
    ]);
    expect(asChatMessages([{ role: 1, content: "x" }])).toBeNull();
    expect(asChatMessages("hello")).toBeNull();
    expect(asChatMessages([])).toBeNull();
  });

  it("splits content parts", () => {
    expect(contentParts([{ type: "text", text: "a" }, { type: "image_url", image_url: { url: "x" } }])).toEqual([
      { kind: "text", value: "a" },
      { kind: "json", value: { type: "image_url", image_url: { url: "x" } } },
    ]);
  });

  it("finds template variables once, in order", () => {
    expect(templateVariables(["Hi {{name}}, {{ topic }}", "{{name}} {{#items}}{{.}}{{/items}} {{{raw}}}"])).toEqual([
      "name", "topic", "items", "raw",
    ]);
  });
});

describe("previews", () => {
  it("is one line and bounded", () => {
    expect(previewValue("a\n\n b")).toBe("a b");
    expect(previewValue({ q: "x" })).toBe('{"q":"x"}');
    expect(previewValue("x".repeat(50), 10)).toBe(`${"x".repeat(9)}…`);
    expect(previewValue(null)).toBe("");
    expect(previewValue([{ role: "user", content: "why?" }])).toBe("user: why?");
  });

  it("serializes like JSON.stringify when small, and stops early when huge", () => {
    const v = { a: [1, "x", null, { b: true }], "k\"q": "s" };
    expect(boundedJson(v, 1000)).toBe(JSON.stringify(v));
    const huge = { rows: Array.from({ length: 200_000 }, (_, i) => ({ i, text: "lorem ipsum dolor" })) };
    const t0 = performance.now();
    const p = previewValue(huge, 100);
    expect(performance.now() - t0).toBeLessThan(50);
    expect(p.length).toBe(100);
    expect(p.startsWith('{"rows":[{"i":0,')).toBe(true);
  });
});

describe("review keys", () => {
  it("maps digits to scores", () => {
    expect(keyToScore("1")).toBe(0.1);
    expect(keyToScore("9")).toBe(0.9);
    expect(keyToScore("0")).toBe(1);
    expect(keyToScore("-")).toBe(0);
    expect(keyToScore("j")).toBeNull();
  });
  it("clamps movement", () => {
    expect(moveIndex(0, -1, 5)).toBe(0);
    expect(moveIndex(4, 1, 5)).toBe(4);
    expect(moveIndex(2, 1, 5)).toBe(3);
    expect(moveIndex(3, 1, 0)).toBe(0);
  });
});
