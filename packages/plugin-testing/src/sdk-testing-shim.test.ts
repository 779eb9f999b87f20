import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Kernel } from "@aleph/kernel";
import { createTestKernel as deprecatedCreateTestKernel } from "@aleph/plugin-sdk/testing";
import { describe, expect, it } from "vitest";

describe("@aleph/plugin-sdk/testing (deprecated)", () => {
  it("forwards createTestKernel to this package's real kernel", async () => {
    const kernel = await deprecatedCreateTestKernel({ plugins: [{ manifest: { plugin: { id: "old", version: "1.0.0" } }, definition: { setup() {} } }] });
    try {
      expect(kernel.kernel).toBeInstanceOf(Kernel);
      expect(kernel.plugin("old")?.status).toBe("active");
    } finally {
      await kernel.stop();
    }
  });

  it("says what to install when @aleph/testing is found neither beside the SDK nor in the project", () => {
    const outside = mkdtempSync(join(tmpdir(), "aleph-no-kit-"));
    try {
      const sdkTesting = fileURLToPath(import.meta.resolve("@aleph/plugin-sdk/testing"));
      const script = `import(${JSON.stringify(sdkTesting)}).then((m) => m.createTestKernel()).then(() => console.log("started"), (e) => console.log(e.message))`;
      // Without NODE_PATH: pnpm's bin shims set it to the workspace's hoisted packages, which hold the kit.
      const { NODE_PATH: _hoisted, ...env } = process.env;
      const printed = execFileSync(process.execPath, ["--input-type=module", "-e", script], { cwd: outside, encoding: "utf8", env });
      expect(printed).toMatch(/moved to its own package: install it \(npm install -D @aleph\/testing\)/);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
