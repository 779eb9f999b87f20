/*
 * Config belongs to its owner (issue 10): a plugin's section is checked by the JSON Schema its build
 * shipped (dist/config.schema.json), so config check, doctor, config schema and init know the
 * section without running plugin code.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { createWorkspace, runCli, runCliJson, type Workspace } from "./support/aleph.js";
import { writePlugin } from "./support/plugins.js";

/** A plugin "weather" shipping its section's schema as data; importing its module leaves a mark. */
function weather(ws: Workspace): string {
  const dir = join(ws.userDir, "weather");
  const schema = {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    type: "object",
    properties: { units: { type: "string", enum: ["metric", "imperial"], default: "metric" }, refresh_s: { type: "integer", minimum: 10, default: 600 } },
    additionalProperties: false,
  };
  writePlugin(dir, {
    id: "weather",
    code: `import { writeFileSync } from "node:fs";\nwriteFileSync(${JSON.stringify(join(ws.base, "imported"))}, "yes");\nexport default { setup() {} };\n`,
    files: { "dist/config.schema.json": JSON.stringify(schema) },
  });
  return dir;
}

describe("config sections checked by the schema their plugin ships", () => {
  test("config check and doctor use the shipped schema and import nothing", async () => {
    const ws = createWorkspace({ config: '[weather]\nunits = "kelvin"\nrefresh_s = 5\n' });
    weather(ws);
    const check = await runCli(ws, ["config", "check", "--json"]);
    expect(check.code).toBe(1);
    const report = JSON.parse(check.stdout);
    expect(report.errors).toEqual([
      expect.objectContaining({ path: "weather.units", line: 2, message: expect.stringMatching(/"metric"\|"imperial".*plugin "weather"/) }),
      expect.objectContaining({ path: "weather.refresh_s", line: 3, message: expect.stringMatching(/>=10.*plugin "weather"/) }),
    ]);
    const doctor = await runCliJson(ws, ["doctor", "--json"], 1);
    expect(doctor.findings).toEqual(expect.arrayContaining([expect.objectContaining({ check: "config", ok: false, message: expect.stringMatching(/weather\.units: .*"metric"\|"imperial"/) })]));
    expect(existsSync(join(ws.base, "imported")), "no plugin module was imported").toBe(false);

    ws.writeConfig('[weather]\nunits = "imperial"\n');
    expect((await runCli(ws, ["config", "check"])).code).toBe(0);
  });

  test("config schema includes every plugin's shipped section without a kernel; init writes the bundled plugins' defaults", async () => {
    const ws = createWorkspace();
    weather(ws);
    const schema = await runCliJson(ws, ["config", "schema"]);
    expect(schema.properties.weather).toMatchObject({ description: 'Owned by plugin "weather"', properties: { units: { enum: ["metric", "imperial"] } } });
    expect(schema.properties.sessions).toMatchObject({ properties: { synchronous: { enum: ["full", "normal"], default: "full" } } });
    expect(existsSync(join(ws.base, "imported"))).toBe(false);

    const fresh = createWorkspace();
    expect((await runCli(fresh, ["init"])).code).toBe(0);
    const template = readFileSync(fresh.configFile, "utf8");
    expect(template).toMatch(/# \[sessions\] +# plugin "sessions"\n# max_message_bytes = 1048576/);
    expect(template).toMatch(/# \[chat\] +# plugin "chat"/);
    expect(template).toMatch(/# \[\[agents\]\] +# plugin "workspace"\n# id = "main"/);
  });
});
