import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { PUBLIC_PACKAGES } from "./aleph-packages.js";
import { checkoutOf, checkoutVersions, packCheckoutPackages } from "./checkout-packages.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A checkout's shape: pnpm-workspace.yaml, packages/<dir>/package.json per public package, no builds. */
function fakeCheckout(): string {
  const root = mkdtempSync(join(tmpdir(), "aleph-checkout-"));
  dirs.push(root);
  writeFileSync(join(root, "pnpm-workspace.yaml"), "packages:\n  - packages/*\n");
  writeFileSync(join(root, "package.json"), JSON.stringify({ name: "aleph-monorepo", private: true, packageManager: "pnpm@10.24.0" }));
  for (const name of PUBLIC_PACKAGES) {
    const dir = join(root, "packages", name.slice("@aleph/".length));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name, version: "0.3.0", main: "dist/index.js" }));
  }
  mkdirSync(join(root, "apps", "cli", "dist"), { recursive: true });
  return root;
}

describe("the checkout's packages for a plugin project", () => {
  it("finds the checkout from the CLI's own file, and nothing outside one", () => {
    const root = fakeCheckout();
    expect(checkoutOf(join(root, "apps", "cli", "dist", "aleph.js"))).toBe(root);
    const elsewhere = mkdtempSync(join(tmpdir(), "aleph-installed-"));
    dirs.push(elsewhere);
    expect(checkoutOf(join(elsewhere, "node_modules", "@aleph", "cli", "dist", "aleph.js"))).toBeUndefined();
  });

  it("reads each package's version", () => {
    expect(checkoutVersions(fakeCheckout())["@aleph/testing"]).toBe("0.3.0");
  });

  it("refuses to pack a package that is not built, naming it and the command that builds it, and packs nothing", () => {
    const root = fakeCheckout();
    const destination = mkdtempSync(join(tmpdir(), "aleph-packs-"));
    dirs.push(destination);
    expect(() => packCheckoutPackages(root, ["@aleph/plugin-sdk", "@aleph/kernel"], destination)).toThrow(
      /@aleph\/plugin-sdk, @aleph\/kernel in .* are not built \(no .*packages\/plugin-sdk\/dist\/index\.js, .*\): run `pnpm build` there/,
    );
    expect(readdirSync(destination)).toEqual([]);
  });
});
