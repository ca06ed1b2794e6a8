import { describe, expect, it } from "vitest";
import { promptText, renderTemplate, slugify } from "./promptText";

describe("prompt text", () => {
  it("serialises chat prompts with options", () => {
    const t = promptText({ prompt_data: { prompt: { type: "chat", messages: [{ role: "system", content: "Be {{tone}}" }] }, options: { model: "gpt-4o", params: { temperature: 0, max_tokens: 5 } } } });
    expect(t).toBe("[system]\nBe {{tone}}\n\nmodel: gpt-4o\nmax_tokens: 5\ntemperature: 0\n");
    expect(promptText(null)).toBe("\n");
  });
  it("renders known variables only", () => {
    expect(renderTemplate("Hi {{ name }}, {{missing}} {{{raw}}}", { name: "Ada", raw: "<b>" })).toBe("Hi Ada, {{missing}} <b>");
  });
  it("slugifies", () => {
    expect(slugify(" Summarize: Tickets! ")).toBe("summarize-tickets");
    expect(slugify("???")).toBe("prompt");
  });
});
