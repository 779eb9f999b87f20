import { describe, expect, it } from "vitest";
import { z } from "zod";
import { parseTomlText as parse } from "@aleph/kernel/light";
import { sectionTemplate } from "./config-template.js";

const schemaOf = (schema: z.ZodType) => z.toJSONSchema(schema, { io: "input" }) as Record<string, unknown>;

/** The block with its comment marks taken off, parsed as TOML. */
function uncommented(block: string): Record<string, unknown> {
  const text = block
    .split("\n")
    .map((l) => l.replace(/^# ?/, "").replace(/\s+# .*$/, ""))
    .join("\n");
  return parse(text) as Record<string, unknown>;
}

describe("sectionTemplate", () => {
  const store = z.object({
    max_bytes: z.number().int().min(1).default(1024),
    mode: z.enum(["full", "normal"]).default("full"),
    token: z.string().optional(),
    nested: z.object({ depth: z.number().default(3) }).default({ depth: 3 }),
  });

  it("writes every default of a table, nested tables as their own, and the choices of an enum", () => {
    const block = sectionTemplate({ plugin: "store", section: "store", schema: schemaOf(store) });
    expect(block).toMatch(/^# \[store\] +# plugin "store"\n/);
    expect(block).toMatch(/# mode = "full"\s+# full \| normal/);
    expect(block).toContain("# [store.nested]\n# depth = 3");
    expect(block).not.toContain("token");
    // Uncommented, the block is the defaults, and the schema accepts it.
    const value = uncommented(block);
    expect(value).toEqual({ store: { max_bytes: 1024, mode: "full", nested: { depth: 3 } } });
    expect(store.safeParse(value.store).success).toBe(true);
  });

  it("writes an array of tables from its example, and marks a required key without one", () => {
    const agents = z.array(z.object({ id: z.string(), preset: z.enum(["a", "b"]).default("a"), limits: z.object({ n: z.number().default(1) }).default({ n: 1 }) })).default([{ id: "main", preset: "a", limits: { n: 1 } }]);
    const block = sectionTemplate({ plugin: "ws", section: "agents", schema: schemaOf(agents) });
    expect(block).toMatch(/^# \[\[agents\]\]\s+# plugin "ws"\n# id = "main"\n/);
    expect(block).toContain("# limits = { n = 1 }");
    expect(agents.safeParse(uncommented(block).agents).success).toBe(true);
    const noExample = sectionTemplate({ plugin: "ws", section: "agents", schema: schemaOf(z.array(z.object({ id: z.string() }))) });
    expect(noExample).toMatch(/# id = …\s+# required/);
  });

  it("shows a key without a default by its example (a channel's token: the line a person writes)", () => {
    const channel = z.object({ token: z.string().optional().describe("the bot token").meta({ examples: ["keys:bot-token"] }), hidden: z.string().optional() });
    const block = sectionTemplate({ plugin: "bot", section: "interfaces.bot", schema: schemaOf(channel) });
    expect(block).toMatch(/# token = "keys:bot-token"\s+# the bot token/);
    expect(block).not.toContain("hidden");
    expect(uncommented(block)).toEqual({ interfaces: { bot: { token: "keys:bot-token" } } });
  });

  it("shows a null default as an unset key, drops nulls inside a value, and takes a boolean property schema", () => {
    const schema = schemaOf(z.object({ model: z.string().nullable().default(null).describe("the model"), pair: z.record(z.string(), z.number().nullable()).default({ a: null, b: 2 }) }));
    (schema.properties as Record<string, unknown>).anything = true;
    const block = sectionTemplate({ plugin: "p", section: "p", schema: { ...schema, required: ["anything"] } });
    expect(block).toMatch(/# model = …\s+# unset by default: the model/);
    expect(block).toContain("# pair = { b = 2 }");
    expect(block).toMatch(/# anything = …\s+# required/);
  });
});
