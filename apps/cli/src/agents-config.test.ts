import { describe, expect, it } from "vitest";
import { appendAgent, declaredAgents, removeAgent } from "./agents-config.js";

const file = "/r/config.toml";

describe("editing [[agents]] in config.toml", () => {
  it("declares main too when adding the first agent, and keeps every other line", () => {
    const text = "# my config\n[gateway]\nport = 1234\n";
    const added = appendAgent(text, file, "writer", "openboa");
    expect(added.startsWith(text)).toBe(true);
    expect(declaredAgents(added, file)).toEqual(["main", "writer"]);
    expect(added).toMatch(/\[\[agents\]\]\nid = "writer"\npreset = "openboa"\n$/);
    expect(declaredAgents(appendAgent(added, file, "third"), file)).toEqual(["main", "writer", "third"]);
  });

  it("removes exactly the table of one agent, comments and other tables untouched", () => {
    const text = '[[agents]]\nid = "main"\n\n[[agents]]\nid = "writer" # the writer\npreset = "openboa"\n\n[gateway]\nport = 1\n';
    const removed = removeAgent(text, "writer")!;
    expect(removed).toBe('[[agents]]\nid = "main"\n\n[gateway]\nport = 1\n');
    expect(removeAgent(text, "nobody")).toBeUndefined();
    expect(declaredAgents("[gateway]\n", file)).toBeUndefined();
  });

  it("reports a config that does not parse instead of editing it", () => {
    expect(() => appendAgent("[gateway\n", file, "x")).toThrow(/config\.toml:1/);
  });
});
