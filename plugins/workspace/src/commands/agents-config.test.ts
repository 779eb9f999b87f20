import { describe, expect, it } from "vitest";
import { appendAgent, hasAgentTables, removeAgent } from "./agents-config.js";

const file = "/r/config.toml";

describe("editing [[agents]] in config.toml", () => {
  it("declares main too when adding the first agent, and keeps every other line", () => {
    const text = "# my config\n# [[agents]] (commented out: not a declaration)\n[gateway]\nport = 1234\n";
    const added = appendAgent(text, file, "writer", "openboa");
    expect(added).toBe(`${text}\n[[agents]]\nid = "main"\n\n[[agents]]\nid = "writer"\npreset = "openboa"\n`);
    // Once tables exist, main is not added again.
    expect(appendAgent(added, file, "third")).toBe(`${added}\n[[agents]]\nid = "third"\n`);
    expect(appendAgent("[gateway]\nport = 1", file, "x")).toBe('[gateway]\nport = 1\n\n[[agents]]\nid = "main"\n\n[[agents]]\nid = "x"\n');
  });

  it("adds main alone when main is the first agent declared", () => {
    expect(appendAgent("", file, "main")).toBe('\n[[agents]]\nid = "main"\n');
  });

  it("removes exactly the table of one agent, comments and other tables untouched", () => {
    const text = '[[agents]]\nid = "main"\n\n[[agents]]\nid = "writer" # the writer\npreset = "openboa"\n\n[gateway]\nport = 1\n';
    const removed = removeAgent(text, "writer")!;
    expect(removed).toBe('[[agents]]\nid = "main"\n\n[gateway]\nport = 1\n');
    expect(removeAgent(text, "nobody")).toBeUndefined();
    expect(hasAgentTables("[gateway]\n", file)).toBe(false);
    expect(hasAgentTables("[gateway]\n  [[ agents ]]  # mine\nid = 'x'\n", file)).toBe(true);
  });

  it("refuses to append a table to agents declared as an inline array, which would make the file invalid", () => {
    const inline = 'agents = [{ id = "main" }]\n[gateway]\nport = 1\n';
    expect(() => appendAgent(inline, file, "x")).toThrow(/inline array \(agents = \[\.\.\.\]\)/);
    // A key named agents inside another table is not the top-level declaration.
    expect(hasAgentTables('[gateway]\nagents = 2\n', file)).toBe(false);
  });
});
