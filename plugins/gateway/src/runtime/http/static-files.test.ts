import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { safeSegments, StaticFiles } from "./static-files.js";

describe("static files", () => {
  it("takes a path apart into safe segments, refusing any that could step outside", () => {
    expect(safeSegments("assets/app-1a2b.js")).toEqual(["assets", "app-1a2b.js"]);
    expect(safeSegments("assets/with%20space.css")).toEqual(["assets", "with space.css"]);
    for (const bad of ["assets/../index.html", "assets/%2e%2e/x", "assets/..%2fx", "assets/%2Fetc", "assets//x", "assets/./x", "assets/%5c..%5cx", "assets/%00", "assets/%E0%A4%A"]) {
      expect(safeSegments(bad), bad).toBeUndefined();
    }
  });

  it("serves index.html and /assets/* from its directory and nothing else (symlinks out refused)", async () => {
    const base = mkdtempSync(join(tmpdir(), "aleph-static-"));
    const dir = join(base, "web");
    mkdirSync(join(dir, "assets"), { recursive: true });
    writeFileSync(join(dir, "index.html"), "<!doctype html><p>page");
    writeFileSync(join(dir, "assets", "app-1.js"), "console.log(1)");
    writeFileSync(join(base, "secret.txt"), "outside");
    symlinkSync(join(base, "secret.txt"), join(dir, "assets", "link.txt"));
    const files = new StaticFiles(dir);
    expect(await files.get("/")).toMatchObject({ type: "text/html; charset=utf-8", cache: "no-cache", body: Buffer.from("<!doctype html><p>page") });
    expect(await files.get("/assets/app-1.js")).toMatchObject({ type: "text/javascript; charset=utf-8", cache: "immutable" });
    expect(await files.get("/assets/link.txt")).toBeUndefined();
    expect(await files.get("/assets/missing.js")).toBeUndefined();
    expect(await files.get("/assets")).toBeUndefined();
    expect(await files.get("/secret.txt")).toBeUndefined();
    expect(await files.get("/assets/%2e%2e/%2e%2e/secret.txt")).toBeUndefined();
  });

  it("says the page was not built when its directory is missing", async () => {
    const page = await new StaticFiles(join(tmpdir(), "no-such-web-dir-xyz")).get("/");
    expect(page?.body.toString()).toMatch(/control page was not built/);
    expect(page?.body.toString()).not.toMatch(/<script/);
  });
});
