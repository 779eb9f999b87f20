import { describe, expect, it } from "vitest";
import { getPreset, isDirName, PRESET_NAMES, PRESETS, renderTemplate } from "./presets.js";
import { resolveFileSet } from "./file-set.js";
import { isCommentOnly, isIntentionallyEmpty } from "./text.js";
import { codeOf } from "./test-helpers.js";

describe("presets", () => {
  it("give every file a non-empty template and no directory a template", () => {
    for (const name of PRESET_NAMES) {
      for (const entry of PRESETS[name].entries) {
        if (isDirName(entry.name)) expect(entry.template, entry.name).toBeUndefined();
        else expect(entry.template?.trim().length, `${name}/${entry.name}`).toBeGreaterThan(0);
      }
    }
  });

  it("seed HEARTBEAT.md as comments only, so it counts as empty; no other template does", () => {
    const heartbeat = PRESETS.default.entries.find((e) => e.name === "HEARTBEAT.md")!;
    expect(isCommentOnly(heartbeat.template!)).toBe(true);
    expect(isIntentionallyEmpty("HEARTBEAT.md", heartbeat.template!)).toBe(true);
    for (const name of PRESET_NAMES) {
      for (const entry of PRESETS[name].entries) {
        if (entry.template && entry.name !== "HEARTBEAT.md") expect(isIntentionallyEmpty(entry.name, entry.template), entry.name).toBe(false);
      }
    }
  });

  it("document the required sets", () => {
    expect(PRESETS.default.entries.filter((e) => e.required).map((e) => e.name)).toEqual(["SOUL.md", "IDENTITY.md", "AGENTS.md"]);
    expect(PRESETS.openboa.entries.filter((e) => e.required).map((e) => e.name).sort()).toEqual(
      ["AGENT.md", "BOOTSTRAP.md", "IDENTITY.md", "MANDATE.md", "PROFILE.md", "TOOLS.md"],
    );
  });

  it("fill in the agent id", () => {
    expect(renderTemplate(PRESETS.default.entries[1]!.template!, "scout")).toContain("**Agent id:** scout");
  });

  it("refuse an unknown preset with ALEPH_E_CONFIG naming the known ones", async () => {
    expect(await codeOf(() => getPreset("nope"))).toBe("ALEPH_E_CONFIG");
    expect(await codeOf(() => getPreset("__proto__"))).toBe("ALEPH_E_CONFIG");
    expect(() => getPreset("nope")).toThrow(/unknown workspace preset "nope"/);
  });
});

describe("resolveFileSet", () => {
  it("keeps the preset's order and lets required replace the preset's set", () => {
    const specs = resolveFileSet(getPreset("default"), { required: ["PLAYBOOK.md", "USER.md"] });
    expect(specs.filter((s) => s.required).map((s) => s.name)).toEqual(["USER.md", "PLAYBOOK.md"]);
    expect(specs.find((s) => s.name === "SOUL.md")?.required).toBe(false);
    expect(specs.at(-1)).toMatchObject({ name: "PLAYBOOK.md", listedBy: "override" });
  });

  it("lets optional replace the preset's optional set", () => {
    const specs = resolveFileSet(getPreset("default"), { optional: ["MEMORY.md", "NOTES.md"] });
    expect(specs.map((s) => s.name)).toEqual(["SOUL.md", "IDENTITY.md", "AGENTS.md", "MEMORY.md", "NOTES.md"]);
  });

  it("refuses names that could leave the workspace, as a config error", async () => {
    for (const bad of ["../x.md", "/etc/passwd", "a/../../b", "", "x\0.md", "C:\\x"]) {
      expect(await codeOf(() => resolveFileSet(getPreset("default"), { required: [bad] })), JSON.stringify(bad)).toBe("ALEPH_E_CONFIG");
      expect(await codeOf(() => resolveFileSet(getPreset("default"), { optional: [bad] })), JSON.stringify(bad)).toBe("ALEPH_E_CONFIG");
    }
  });
});
