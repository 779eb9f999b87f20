import { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { controlSocketPath, privateSocketDir } from "./socket-path.js";

const longRunDir = "/" + "y".repeat(120) + "/run";

describe("the private socket directory (for run directories too long for a socket path)", () => {
  it("is created 0700 and holds the fallback socket", () => {
    const runtime = mkdtempSync(join(tmpdir(), "aleph-xdg-"));
    const socket = controlSocketPath(longRunDir, { XDG_RUNTIME_DIR: runtime });
    expect(socket.startsWith(join(runtime, "aleph") + "/")).toBe(true);
    expect(lstatSync(join(runtime, "aleph")).mode & 0o777).toBe(0o700);
    expect(controlSocketPath(longRunDir, { XDG_RUNTIME_DIR: runtime }), "stable for one root").toBe(socket);
  });

  it("refuses a directory other users can enter", () => {
    const runtime = mkdtempSync(join(tmpdir(), "aleph-xdg-"));
    mkdirSync(join(runtime, "aleph"), { mode: 0o755 });
    chmodSync(join(runtime, "aleph"), 0o755);
    expect(() => privateSocketDir({ XDG_RUNTIME_DIR: runtime })).toThrow(/open to other users \(mode 755\)/);
  });

  it("refuses a symlink planted in its place", () => {
    const runtime = mkdtempSync(join(tmpdir(), "aleph-xdg-"));
    const elsewhere = mkdtempSync(join(tmpdir(), "aleph-elsewhere-"));
    symlinkSync(elsewhere, join(runtime, "aleph"));
    expect(() => privateSocketDir({ XDG_RUNTIME_DIR: runtime })).toThrow(/not a directory/);
  });

  it.runIf(process.getuid?.() === 0)("refuses a directory another user created first", () => {
    const runtime = mkdtempSync(join(tmpdir(), "aleph-xdg-"));
    mkdirSync(join(runtime, "aleph"), { mode: 0o700 });
    chownSync(join(runtime, "aleph"), 65534, 65534);
    expect(() => privateSocketDir({ XDG_RUNTIME_DIR: runtime })).toThrow(/belongs to uid 65534/);
  });
});
