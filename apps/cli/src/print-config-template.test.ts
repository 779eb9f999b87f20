import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { bundledSectionSchemas } from "./config-json-schema.js";
import { configTemplate } from "./config-template.js";

describe("the shipped config template", () => {
  const shipped = new URL("../dist/config-template.toml", import.meta.url);
  it.runIf(existsSync(shipped))("is the template the sources compute (a stale build would seed an outdated config.toml)", () => {
    expect(readFileSync(shipped, "utf8")).toBe(configTemplate(bundledSectionSchemas()));
  });
});
