import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bootstrapContext, type BootstrapLimits } from "./bootstrap.js";
import { seedAgent } from "./seed.js";
import { truncationMarker } from "./truncate.js";
import { codeOf, tempRoot } from "./test-helpers.js";

const ROOMY: BootstrapLimits = { perFileChars: 100_000, totalChars: 1_000_000 };

async function seeded(preset = "default") {
  const root = tempRoot();
  const { workspaceDir } = await seedAgent({ root, agentId: "main", preset });
  return workspaceDir;
}

describe("bootstrapContext", () => {
  it("default: the documented order, HEARTBEAT empty as seeded, optional files missing without content", async () => {
    const workspaceDir = await seeded();
    const ctx = await bootstrapContext({ workspaceDir, preset: "default", limits: ROOMY });
    expect(ctx.files.map((f) => `${f.name}:${f.status}`)).toEqual([
      "SOUL.md:loaded", "IDENTITY.md:loaded", "USER.md:loaded", "TOOLS.md:loaded", "AGENTS.md:loaded",
      "HEARTBEAT.md:empty", "MEMORY.md:loaded", "CONTEXT.md:missing", "SKILLS.md:missing", "BOOTSTRAP.md:loaded",
    ]);
    const soul = ctx.files[0]!;
    expect(soul.content).toBe(readFileSync(join(workspaceDir, "SOUL.md"), "utf8"));
    expect(soul.chars).toBe(soul.content.length);
    expect(soul.provenance).toEqual({
      preset: "default", listedBy: "preset", bytes: readFileSync(soul.path).length,
      sha256: createHash("sha256").update(readFileSync(soul.path)).digest("hex"),
    });
    const context = ctx.files.find((f) => f.name === "CONTEXT.md")!;
    expect(context).toMatchObject({ status: "missing", required: false, content: "", chars: 0, originalChars: 0 });
    expect(ctx.missingRequired).toEqual([]);
    expect(ctx.totals).toMatchObject({ files: 10, loaded: 7, empty: 1, missing: 2, truncated: 0 });
    expect(ctx.totals.chars).toBe(ctx.files.reduce((n, f) => n + f.content.length, 0));
  });

  it("openboa: its own order", async () => {
    const workspaceDir = await seeded("openboa");
    const ctx = await bootstrapContext({ workspaceDir, preset: "openboa", limits: ROOMY });
    expect(ctx.files.map((f) => f.name)).toEqual(["AGENT.md", "IDENTITY.md", "PROFILE.md", "MANDATE.md", "USER.md", "TOOLS.md", "MEMORY.md", "BOOTSTRAP.md"]);
    expect(ctx.files.every((f) => f.status === "loaded")).toBe(true);
  });

  it("flags a missing required file and leaves the decision to the caller", async () => {
    const workspaceDir = await seeded();
    rmSync(join(workspaceDir, "SOUL.md"));
    rmSync(join(workspaceDir, "USER.md"));
    const ctx = await bootstrapContext({ workspaceDir, preset: "default", limits: ROOMY });
    expect(ctx.files[0]).toMatchObject({ name: "SOUL.md", status: "missing", required: true, content: "" });
    expect(ctx.files[2]).toMatchObject({ name: "USER.md", status: "missing", required: false });
    expect(ctx.missingRequired).toEqual(["SOUL.md"]);
  });

  it("treats an empty or blank file as intentionally empty", async () => {
    const workspaceDir = await seeded();
    writeFileSync(join(workspaceDir, "USER.md"), "");
    writeFileSync(join(workspaceDir, "TOOLS.md"), " \n\t\n");
    const ctx = await bootstrapContext({ workspaceDir, preset: "default", limits: ROOMY });
    expect(ctx.files.find((f) => f.name === "USER.md")).toMatchObject({ status: "empty", content: "", chars: 0, originalChars: 0 });
    expect(ctx.files.find((f) => f.name === "TOOLS.md")).toMatchObject({ status: "empty", content: "", originalChars: 4 });
  });

  it("counts HEARTBEAT.md with only # lines and HTML comments as empty, and loads it once it has a task", async () => {
    const workspaceDir = await seeded();
    const heartbeat = join(workspaceDir, "HEARTBEAT.md");
    const status = async () => (await bootstrapContext({ workspaceDir, preset: "default", limits: ROOMY })).files.find((f) => f.name === "HEARTBEAT.md")!.status;
    for (const commentOnly of ["# only\n#comments\n", "<!-- one -->\n", "<!--\nmany\nlines\n-->\n  # indented\n\n", "<!-- a --> <!-- b -->\n# c", "<!-- never closed\n- task inside"]) {
      writeFileSync(heartbeat, commentOnly);
      expect(await status(), JSON.stringify(commentOnly)).toBe("empty");
    }
    for (const withTask of ["# Heartbeat\n- check the inbox\n", "<!-- c --> check the build", "check\n"]) {
      writeFileSync(heartbeat, withTask);
      expect(await status(), JSON.stringify(withTask)).toBe("loaded");
    }
    // In other files a heading is content.
    writeFileSync(join(workspaceDir, "USER.md"), "# Only a heading\n");
    expect((await bootstrapContext({ workspaceDir, preset: "default", limits: ROOMY })).files[2]!.status).toBe("loaded");
  });

  it("truncates to the per-file limit with a marker, then to what is left of the total, in order", async () => {
    const workspaceDir = await seeded();
    const memory = Array.from({ length: 400 }, (_, i) => `- fact ${i}: ${"m".repeat(25)}`).join("\n");
    writeFileSync(join(workspaceDir, "MEMORY.md"), memory);
    const limits = { perFileChars: 4000, totalChars: 1_000_000 };
    const ctx = await bootstrapContext({ workspaceDir, preset: "default", limits });
    const file = ctx.files.find((f) => f.name === "MEMORY.md")!;
    expect(file).toMatchObject({ status: "truncated", originalChars: memory.length });
    expect(file.chars).toBeLessThanOrEqual(4000);
    expect(file.content).toMatch(new RegExp(`\\[… truncated: MEMORY\\.md kept \\d+ of ${memory.length} characters …\\]$`));
    expect(file.provenance.limitedBy).toBe("perFileChars");

    // A total that runs out at MEMORY.md: everything before it whole, MEMORY.md cut, later files cut to nothing.
    const before = ctx.files.slice(0, ctx.files.indexOf(file)).reduce((n, f) => n + f.chars, 0);
    const tight = await bootstrapContext({ workspaceDir, preset: "default", limits: { perFileChars: 4000, totalChars: before + 500 } });
    const cut = tight.files.find((f) => f.name === "MEMORY.md")!;
    expect(cut).toMatchObject({ status: "truncated" });
    expect(cut.chars).toBeLessThanOrEqual(500);
    expect(cut.provenance.limitedBy).toBe("totalChars");
    expect(cut.content).toContain(truncationMarker("MEMORY.md", Number(/kept (\d+)/.exec(cut.content)![1]), memory.length));
    const bootstrap = tight.files.find((f) => f.name === "BOOTSTRAP.md")!;
    expect(bootstrap.status).toBe("truncated");
    expect(bootstrap.chars).toBeLessThanOrEqual(tight.limits.totalChars - before - cut.chars);
    expect(tight.totals.chars).toBeLessThanOrEqual(before + 500);
    expect(tight.files.slice(0, 5).every((f) => f.status === "loaded")).toBe(true);
  });

  it("takes its limits from the arguments", async () => {
    const workspaceDir = await seeded();
    const sizes = await Promise.all([200, 300, 1000].map(async (perFileChars) => (await bootstrapContext({ workspaceDir, preset: "default", limits: { perFileChars, totalChars: 10_000 } })).files[4]!.chars));
    expect(sizes[0]).toBeLessThanOrEqual(200);
    expect(sizes[1]).toBeLessThanOrEqual(300);
    expect(sizes[1]).toBeGreaterThan(sizes[0]!);
    expect((await bootstrapContext({ workspaceDir, preset: "default", limits: { perFileChars: 1000, totalChars: 0 } })).totals.chars).toBe(0);
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, "100", undefined]) {
      expect(await codeOf(() => bootstrapContext({ workspaceDir, preset: "default", limits: { perFileChars: bad as number, totalChars: 10 } }))).toBe("ALEPH_E_CONFIG");
      expect(await codeOf(() => bootstrapContext({ workspaceDir, preset: "default", limits: { perFileChars: 10, totalChars: bad as number } }))).toBe("ALEPH_E_CONFIG");
    }
  });

  it("is deterministic: two runs give the same result byte for byte", async () => {
    const workspaceDir = await seeded();
    writeFileSync(join(workspaceDir, "MEMORY.md"), `${"😀 memory line\n".repeat(2000)}`);
    const limits = { perFileChars: 3333, totalChars: 9999 };
    const a = await bootstrapContext({ workspaceDir, preset: "default", limits });
    const b = await bootstrapContext({ workspaceDir, preset: "default", limits });
    expect(Buffer.from(JSON.stringify(a)).equals(Buffer.from(JSON.stringify(b)))).toBe(true);
    expect(a.files.find((f) => f.name === "MEMORY.md")!.status).toBe("truncated");
  });

  it("strips a BOM and counts characters as JS string length", async () => {
    const workspaceDir = await seeded();
    writeFileSync(join(workspaceDir, "USER.md"), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from("é😀中\n", "utf8")]));
    const user = (await bootstrapContext({ workspaceDir, preset: "default", limits: ROOMY })).files[2]!;
    expect(user.content).toBe("é😀中\n");
    expect(user).toMatchObject({ chars: 5, originalChars: 5 });
    expect(user.provenance.bytes).toBe(3 + 2 + 4 + 3 + 1);
    writeFileSync(join(workspaceDir, "USER.md"), Buffer.from([0xef, 0xbb, 0xbf]));
    expect((await bootstrapContext({ workspaceDir, preset: "default", limits: ROOMY })).files[2]!.status).toBe("empty");
  });

  it("applies required and optional overrides, in the preset's order then the extras", async () => {
    const workspaceDir = await seeded();
    writeFileSync(join(workspaceDir, "PLAYBOOK.md"), "plays");
    const ctx = await bootstrapContext({ workspaceDir, preset: "default", limits: ROOMY, required: ["MEMORY.md", "PLAYBOOK.md", "GONE.md"], optional: ["SOUL.md", "memory/"] });
    expect(ctx.files.map((f) => `${f.name}:${f.status}:${f.required}:${f.provenance.listedBy}`)).toEqual([
      "SOUL.md:loaded:false:preset", "MEMORY.md:loaded:true:preset", "PLAYBOOK.md:loaded:true:override", "GONE.md:missing:true:override",
    ]);
    expect(ctx.missingRequired).toEqual(["GONE.md"]);
    expect(await codeOf(() => bootstrapContext({ workspaceDir, preset: "default", limits: ROOMY, optional: ["../../etc/passwd"] }))).toBe("ALEPH_E_CONFIG");
  });

  it("reports a directory where a file should be as missing, with the reason", async () => {
    const workspaceDir = await seeded();
    rmSync(join(workspaceDir, "AGENTS.md"));
    mkdirSync(join(workspaceDir, "AGENTS.md"));
    const agents = (await bootstrapContext({ workspaceDir, preset: "default", limits: ROOMY })).files[4]!;
    expect(agents).toMatchObject({ status: "missing", required: true, problem: "is a directory" });
  });

  it.skipIf(process.getuid?.() === 0)("reports an unreadable file as missing, with the reason", async () => {
    const workspaceDir = await seeded();
    chmodSync(join(workspaceDir, "TOOLS.md"), 0o000);
    const tools = (await bootstrapContext({ workspaceDir, preset: "default", limits: ROOMY })).files[3]!;
    chmodSync(join(workspaceDir, "TOOLS.md"), 0o644);
    expect(tools).toMatchObject({ name: "TOOLS.md", status: "missing", required: false, problem: "cannot be read (EACCES)" });
  });

  it("falls back safely when the workspace does not exist at all", async () => {
    const ctx = await bootstrapContext({ workspaceDir: join(tempRoot(), "nope"), preset: "default", limits: ROOMY });
    expect(ctx.files.every((f) => f.status === "missing" && f.content === "")).toBe(true);
    expect(ctx.missingRequired).toEqual(["SOUL.md", "IDENTITY.md", "AGENTS.md"]);
  });
});
