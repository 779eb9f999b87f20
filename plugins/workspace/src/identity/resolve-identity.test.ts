import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_SOUL, IDENTITY_LAYERS, parseSoul, renderSoul, resolveIdentity, type IdentityLayerName, type IdentityResolution } from "./index.js";

const base = mkdtempSync(join(tmpdir(), "aleph-identity-resolve-"));
afterAll(() => rmSync(base, { recursive: true, force: true }));
let counter = 0;

function write(file: string, content: string | Uint8Array) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, content);
}

/** A fresh state root, a project with a nested cwd, and where each file layer lives. */
function setup() {
  const dir = join(base, String(counter++));
  const root = join(dir, "state");
  const project = join(dir, "project");
  const cwd = join(project, "src", "nested", "deeper");
  mkdirSync(root, { recursive: true });
  mkdirSync(cwd, { recursive: true });
  const files = {
    project: join(project, ".soul", "identity.md"),
    agent: join(root, "agents", "main", "workspace", "SOUL.md"),
    global: join(root, "soul.md"),
  };
  return { root, cwd, files, options: { root, agentId: "main", cwd, sessionKey: "agent:main:main" } };
}

const values = (resolution: IdentityResolution) => Object.fromEntries(Object.entries(resolution.frontmatter).map(([k, r]) => [k, r.value]));
const titles = (resolution: IdentityResolution) => resolution.sections.map((s) => s.title);

describe("resolveIdentity: the layering matrix (every combination of the five layers)", () => {
  /**
   * Layer i, when present, sets the shared key `tone` and the shared section Identity (and a key
   * and a section of its own), after i padding lines so that every layer's lines differ.
   */
  const soulOf = (layer: IdentityLayerName, i: number) =>
    [
      "---",
      ...Array.from({ length: i }, (_, k) => `# padding ${k}`),
      `tone: ${layer}`,
      `only_${layer}: ${i}`,
      "---",
      ...Array.from({ length: i }, () => ""),
      `# Identity`,
      `I am the ${layer} layer.`,
      `## Only ${layer}`,
      `${layer} text`,
    ].join("\n");
  // Lines, in the file or text of layer i: the key `tone` after "---" and i padding lines; the
  // Identity heading after the frontmatter's 3 + i lines and i blank lines.
  const toneLine = (i: number) => 2 + i;
  const onlyLine = (i: number) => 3 + i;
  const identityLine = (i: number) => 5 + 2 * i;
  const onlySectionLine = (i: number) => 7 + 2 * i;

  const combinations = Array.from({ length: 32 }, (_, mask) => IDENTITY_LAYERS.filter((_, i) => mask & (1 << i)));

  it.each(combinations.map((present) => [present.join("+") || "(none)", present] as const))("%s", async (_name, present) => {
    const { files, options, cwd } = setup();
    const paths: Record<IdentityLayerName, string> = {
      session: "session:agent:main:main",
      project: files.project,
      agent: files.agent,
      global: files.global,
      default: "builtin:default",
    };
    const has = (layer: IdentityLayerName) => present.includes(layer);
    for (const layer of ["project", "agent", "global"] as const) if (has(layer)) write(files[layer], soulOf(layer, IDENTITY_LAYERS.indexOf(layer)));
    const resolution = await resolveIdentity({
      ...options,
      sessionOverride: has("session") ? soulOf("session", 0) : undefined,
      // The built-in layer is always there; "absent" here means it contributes nothing.
      defaultSoul: has("default") ? soulOf("default", 4) : "",
    });

    // The reports: every layer, highest first, present as set up, no errors.
    expect(resolution.layers).toEqual(
      IDENTITY_LAYERS.map((layer) => ({
        layer,
        path: layer === "project" && !has("project") ? join(cwd, ".soul", "identity.md") : paths[layer],
        present: has(layer) || layer === "default",
      })),
    );
    expect(resolution.errors).toEqual([]);

    // The shared key and section: from the highest present layer, with its path and line.
    const winner = present[0];
    if (!winner) {
      expect(resolution.frontmatter.tone).toBeUndefined();
      expect(resolution.sections).toEqual([]);
      expect(renderSoul(resolution)).toBe("");
      return;
    }
    const w = IDENTITY_LAYERS.indexOf(winner);
    expect(resolution.frontmatter.tone).toEqual({ value: winner, source: { layer: winner, path: paths[winner], line: toneLine(w) } });
    expect(resolution.sections[0]).toEqual({
      title: "Identity",
      level: 1,
      body: `I am the ${winner} layer.`,
      source: { layer: winner, path: paths[winner], line: identityLine(w) },
    });

    // Each layer's own key and section survive, with their own provenance, in layer order.
    expect(Object.keys(resolution.frontmatter)).toEqual(["tone", ...present.map((l) => `only_${l}`)]);
    expect(titles(resolution)).toEqual(["Identity", ...present.map((l) => `Only ${l}`)]);
    for (const layer of present) {
      const i = IDENTITY_LAYERS.indexOf(layer);
      expect(resolution.frontmatter[`only_${layer}`]).toEqual({ value: i, source: { layer, path: paths[layer], line: onlyLine(i) } });
      expect(resolution.sections.find((s) => s.title === `Only ${layer}`)).toEqual({
        title: `Only ${layer}`,
        level: 2,
        body: `${layer} text`,
        source: { layer, path: paths[layer], line: onlySectionLine(i) },
      });
    }
  });
});

describe("resolveIdentity: per key and per section", () => {
  it("takes each key and each section from the highest layer that has it, mixing sources", async () => {
    const { files, options } = setup();
    write(files.global, "---\nrelationship: mentor\nexpertise:\n- Rust\n- System design\n---\n# Identity\nGlobal me.\n## Directives\n- global directive\n");
    write(files.agent, "---\nexpertise: [TypeScript]\n---\n## Anti-Patterns\n- agent anti-pattern\n");
    write(files.project, "---\nproject: aleph\n---\n# Directives\n- project directive\n");
    const resolution = await resolveIdentity({ ...options, sessionOverride: "---\nrelationship: peer\n---\n" });
    expect(values(resolution)).toEqual({ relationship: "peer", project: "aleph", expertise: ["TypeScript"] });
    expect(resolution.frontmatter.relationship!.source).toEqual({ layer: "session", path: "session:agent:main:main", line: 2 });
    expect(resolution.frontmatter.project!.source).toEqual({ layer: "project", path: files.project, line: 2 });
    expect(resolution.frontmatter.expertise!.source).toEqual({ layer: "agent", path: files.agent, line: 2 });
    expect(resolution.sections.map((s) => [s.title, s.body, s.source.layer, s.source.line])).toEqual([
      ["Identity", "Global me.", "global", 7],
      ["Directives", "- project directive", "project", 4],
      ["Anti-Patterns", "- agent anti-pattern", "agent", 4],
    ]);
  });

  it("matches sections by heading text regardless of case and level, rendering the winner's heading", async () => {
    const { files, options } = setup();
    write(files.global, "# Identity\nglobal\n## Directives\n- global\n");
    write(files.project, "### directives\n- project\n");
    const resolution = await resolveIdentity(options);
    expect(resolution.sections.map((s) => [s.level, s.title, s.body])).toEqual([
      [1, "Identity", "global"],
      [3, "directives", "- project"],
      [2, "Anti-Patterns", "- Never make up information\n- Never claim to have done something you did not do"],
    ]);
  });

  it("falls back to the built-in default for what no file sets", async () => {
    const { options } = setup();
    const resolution = await resolveIdentity(options);
    const builtin = parseSoul(DEFAULT_SOUL, "builtin:default");
    expect(resolution.frontmatter).toEqual({});
    expect(resolution.sections).toEqual(builtin.sections.map(({ line, ...s }) => ({ ...s, source: { layer: "default", path: "builtin:default", line } })));
    expect(renderSoul(resolution)).toBe(DEFAULT_SOUL);
  });

  it("lets a higher layer clear a key (null) or a section (an empty heading); both stay in the result, not in the render", async () => {
    const { files, options } = setup();
    write(files.global, "---\nrelationship: mentor\nexpertise: [Rust]\n---\n# Identity\nglobal\n## Extra\nextra text\n");
    write(files.project, "---\nexpertise:\n---\n## Extra\n");
    const resolution = await resolveIdentity(options);
    expect(resolution.frontmatter.expertise).toEqual({ value: null, source: { layer: "project", path: files.project, line: 2 } });
    expect(resolution.sections.find((s) => s.title === "Extra")).toMatchObject({ body: "", source: { layer: "project", line: 4 } });
    const rendered = renderSoul(resolution);
    expect(rendered).not.toContain("expertise");
    expect(rendered).not.toContain("Extra");
    expect(rendered.startsWith("---\nrelationship: mentor\n---\n\n# Identity\nglobal\n")).toBe(true);
  });

  it("layers the preamble like a section titled \"\": the highest layer with preamble text wins", async () => {
    const { files, options } = setup();
    write(files.global, "Global preamble.\n# Identity\nglobal\n");
    write(files.agent, "\n\n# Identity\nagent\n"); // blank lines are not a preamble: they clear nothing
    write(files.project, "---\na: 1\n---\nProject preamble.\n");
    const resolution = await resolveIdentity(options);
    expect(resolution.sections[0]).toEqual({ title: "", level: 0, body: "Project preamble.", source: { layer: "project", path: files.project, line: 4 } });
    expect(resolution.sections[1]).toMatchObject({ title: "Identity", body: "agent" });
    expect(renderSoul(resolution).startsWith("---\na: 1\n---\n\nProject preamble.\n\n# Identity\nagent\n")).toBe(true);
  });

  it("counts an empty file and an empty override as present layers that contribute nothing", async () => {
    const { files, options } = setup();
    write(files.global, "---\nrelationship: mentor\n---\n# Identity\nglobal\n");
    write(files.project, "");
    write(files.agent, "\uFEFF");
    const resolution = await resolveIdentity({ ...options, sessionOverride: "" });
    expect(resolution.layers.map((l) => [l.layer, l.present, l.error])).toEqual([
      ["session", true, undefined],
      ["project", true, undefined],
      ["agent", true, undefined],
      ["global", true, undefined],
      ["default", true, undefined],
    ]);
    expect(values(resolution)).toEqual({ relationship: "mentor" });
    expect(resolution.sections[0]!.source.layer).toBe("global");
  });
});

describe("resolveIdentity: a bad layer is reported and skipped, never thrown", () => {
  const bad: Array<[string, string | Uint8Array, { line?: number; message: RegExp }]> = [
    ["frontmatter not closed", "---\nrelationship: project\n# Identity\nproject\n", { line: 1, message: /never closed/ }],
    ["a line that is not key: value", "---\nrelationship: project\nwhat is this\n---\n# Identity\nproject\n", { line: 3, message: /not a `key: value` line/ }],
    ["a tab", "---\nexpertise:\n\t- Rust\n---\n", { line: 3, message: /tab/ }],
    ["a duplicate key", "---\nrelationship: a\nrelationship: b\n---\n", { line: 3, message: /duplicate key "relationship"/ }],
    ["invalid UTF-8", Buffer.concat([Buffer.from("---\nrelationship: project\n---\n# Identity\n"), Buffer.from([0xc3, 0x28])]), { line: 5, message: /not valid UTF-8/ }],
    ["a file over the cap", `---\nrelationship: project\n---\n${"x".repeat(300 * 1024)}`, { message: /over the 262144-byte limit/ }],
  ];

  it.each(bad)("%s in the project layer: the agent layer below fills in", async (_name, content, expected) => {
    const { files, options } = setup();
    write(files.project, content);
    write(files.agent, "---\nrelationship: agent\n---\n# Identity\nagent\n");
    const resolution = await resolveIdentity(options);
    const report = resolution.layers[1]!;
    expect(report).toMatchObject({ layer: "project", path: files.project, present: true, error: { code: "ALEPH_E_IDENTITY", file: files.project } });
    expect(report.error!.message).toMatch(expected.message);
    expect(report.error!.line).toBe(expected.line);
    expect(report.error!.fix).toBeTruthy();
    expect(resolution.errors).toEqual([report.error]);
    expect(resolution.frontmatter.relationship).toEqual({ value: "agent", source: { layer: "agent", path: files.agent, line: 2 } });
    expect(resolution.sections[0]).toMatchObject({ title: "Identity", body: "agent", source: { layer: "agent" } });
    expect(JSON.parse(JSON.stringify(resolution.layers))).toEqual(resolution.layers); // plain data, RPC-safe
  });

  it("skips a bad session override and a bad replacement default the same way", async () => {
    const { files, options } = setup();
    write(files.global, "# Identity\nglobal\n");
    const resolution = await resolveIdentity({ ...options, sessionOverride: "---\nx: [1\n---\n", defaultSoul: "---\n" });
    expect(resolution.errors.map((e) => [e.file, e.line])).toEqual([
      ["session:agent:main:main", 2],
      ["builtin:default", 1],
    ]);
    expect(titles(resolution)).toEqual(["Identity"]);
    expect(resolution.sections[0]!.source.layer).toBe("global");
  });

  it("skips a project soul path that is a directory, rather than walking on to an outer project", async () => {
    const { files, options, cwd } = setup();
    write(files.project, "---\nrelationship: outer\n---\n");
    mkdirSync(join(cwd, ".soul", "identity.md"), { recursive: true });
    const resolution = await resolveIdentity(options);
    expect(resolution.layers[1]).toMatchObject({ path: join(cwd, ".soul", "identity.md"), present: true, error: { message: /not a regular file/ } });
    expect(resolution.frontmatter.relationship).toBeUndefined();
  });
});

describe("renderSoul", () => {
  it("renders frontmatter, the default's sections first, then others by first appearance from the highest layer down", async () => {
    const { files, options } = setup();
    write(files.global, "---\nrelationship: mentor\nexpertise:\n- Rust\n- System design\n---\n## Style\nglobal style\n# Identity\nglobal me\n## Glossary\nterms\n");
    write(files.project, "---\nproject: \"aleph: kernel\"\nrelationship: peer\n---\n## Anti-Patterns\n- project anti\n## Workflow\nproject flow\n");
    const resolution = await resolveIdentity({ ...options, sessionOverride: "## Tone\nwarm\n\n\n## style\nsession style\n" });
    const rendered = renderSoul(resolution);
    expect(rendered).toBe(
      [
        "---",
        'project: "aleph: kernel"',
        "relationship: peer",
        "expertise:",
        "- Rust",
        "- System design",
        "---",
        "",
        "# Identity",
        "global me",
        "",
        "## Directives",
        "- Be helpful, accurate and concise",
        "- Say so when you are unsure, and ask when a request is ambiguous",
        "",
        "## Anti-Patterns",
        "- project anti",
        "",
        "## Tone",
        "warm",
        "",
        "## style",
        "session style",
        "",
        "## Workflow",
        "project flow",
        "",
        "## Glossary",
        "terms",
        "",
      ].join("\n"),
    );
  });

  it("gives the same bytes for the same input, and reads back to the same keys and sections", async () => {
    const { files, options } = setup();
    write(files.global, "\uFEFF---\r\nrelationship: mentor\r\nodd: \"line\\nbreak # and: colon\"\r\nn: 3\r\nlist: [a, 'b c', true]\r\n---\r\n# Identity\r\nMe\r\n```\r\n# in code\r\n```\r\n## Other\r\n  indented\r\n");
    write(files.agent, "---\nnote: '---'\n---\n# Code\n~~~\nunclosed fence\n");
    const first = renderSoul(await resolveIdentity(options));
    const second = renderSoul(await resolveIdentity(options));
    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
    expect(first).not.toMatch(/\r/);
    const reread = parseSoul(first, "rendered");
    const resolution = await resolveIdentity(options);
    expect(Object.fromEntries(Object.entries(reread.frontmatter).map(([k, e]) => [k, e.value]))).toEqual(values(resolution));
    expect(reread.sections.map((s) => [s.title, s.body])).toEqual(
      resolution.sections.map((s) => [s.title, s.body === "~~~\nunclosed fence" ? "~~~\nunclosed fence\n~~~" : s.body]),
    );
  });

  it("keeps a preamble that starts with --- from reading back as frontmatter", () => {
    const source = { layer: "global" as const, path: "p", line: 1 };
    const rendered = renderSoul({ frontmatter: Object.create(null), sections: [{ title: "", level: 0, body: "---\nnot: frontmatter", source }] });
    expect(rendered).toBe("---\n---\n\n---\nnot: frontmatter\n");
    expect(parseSoul(rendered, "r").sections).toEqual([{ title: "", level: 0, body: "---\nnot: frontmatter", line: 4 }]);
  });
});
