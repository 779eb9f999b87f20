/*
 * The providers plugin end to end: `aleph providers list|test` and `aleph protocols list|validate`
 * through the real CLI, against fake model servers on 127.0.0.1 speaking the OpenAI and Anthropic
 * wire formats; custom protocols and providers.toml changed under a running kernel; and the
 * promise that a key, literal or from the vault, is printed, logged or stored nowhere.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { type FakeModelServer, type FakeTurn } from "@aleph/testing";
import { fakeModel, writeProviders } from "./support/model.js";
import { createWorkspace, eventually, KernelProcess, runCli, runCliJson, startKernel, startReadyKernel, type Workspace } from "./support/aleph.js";

function writeProtocol(ws: Workspace, file: string, text: string): string {
  mkdirSync(join(ws.root, "protocols"), { recursive: true, mode: 0o700 });
  const path = join(ws.root, "protocols", file);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
}

/** A workspace whose vault is encrypted with a passphrase, its keys derived at the lowest (test-only) cost. */
function vaultWorkspace(): Workspace {
  const ws = createWorkspace();
  Object.assign(ws.env, { NODE_ENV: "test", ALEPH_VAULT_KDF_TEST_COST: "1024", ALEPH_VAULT_PASSPHRASE: "e2e providers passphrase" });
  return ws;
}

async function setKey(ws: Workspace, name: string, value: string): Promise<void> {
  const result = await runCli(ws, ["keys", "set", name], { input: `${value}\n` });
  expect(result.code, result.stderr).toBe(0);
}

/** Every file under `dir`, recursively, with its text. */
function filesUnder(dir: string): { path: string; text: string }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile())
    .map((path) => ({ path, text: readFileSync(path, "latin1") }));
}

const GOOD_PROTOCOL = "name: groq\nextends: openai\nbase_url: https://api.groq.com/openai/v1\nheaders:\n  X-Title: aleph\n";
const BAD_PROTOCOL = "name: broken\nextends: openai\n\nbase-url: https://example.com/v1\n";

describe("aleph providers", () => {
  test("list and list --json say where each key comes from (literal, env:NAME, keys:name, none) and never print a key", async () => {
    const ws = vaultWorkspace();
    const keys = { literal: "sk-list-literal-5a1b2c3d4e", env: "sk-list-env-6f7a8b9c0d", vault: "sk-list-vault-1e2f3a4b5c" };
    await setKey(ws, "openai", keys.vault);
    writeProviders(
      ws,
      [
        `[providers.inline]\nprotocol = "openai"\nmodel = "gpt-x"\nbase_url = "http://127.0.0.1:9/v1"\napi_key = "${keys.literal}"\n`,
        `[providers.fromenv]\nprotocol = "openai"\nmodel = "gpt-y"\napi_key = "\${PROVIDERS_E2E_KEY}"\n`,
        `[providers.vaulted]\nprotocol = "anthropic"\nmodel = "claude-x"\napi_key = "keys:openai"\nreasoning = true\n`,
        `[providers.local]\nprotocol = "ollama"\nmodel = "llama3"\nenabled = false\n`,
      ].join("\n"),
    );
    const env = { PROVIDERS_E2E_KEY: keys.env };
    const table = await runCli(ws, ["providers", "list"], { env });
    expect(table.code, table.stderr).toBe(0);
    const rows = table.stdout.trim().split("\n").map((line) => line.trim().split(/\s+/));
    expect(rows).toEqual([
      ["NAME", "PROTOCOL", "MODEL", "ENABLED", "KEY"],
      ["inline", "openai", "gpt-x", "yes", "literal"],
      ["fromenv", "openai", "gpt-y", "yes", "env:PROVIDERS_E2E_KEY"],
      ["vaulted", "anthropic", "claude-x", "yes", "keys:openai"],
      ["local", "ollama", "llama3", "no", "none"],
    ]);

    const json = await runCli(ws, ["providers", "list", "--json"], { env });
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([
      { name: "inline", protocol: "openai", model: "gpt-x", baseUrl: "http://127.0.0.1:9/v1", enabled: true, keySource: "literal", reasoning: false },
      { name: "fromenv", protocol: "openai", model: "gpt-y", baseUrl: "(protocol default)", enabled: true, keySource: "env:PROVIDERS_E2E_KEY", reasoning: false },
      { name: "vaulted", protocol: "anthropic", model: "claude-x", baseUrl: "(protocol default)", enabled: true, keySource: "keys:openai", reasoning: true },
      { name: "local", protocol: "ollama", model: "llama3", baseUrl: "(protocol default)", enabled: false, keySource: "none", reasoning: false },
    ]);
    for (const output of [table, json]) for (const key of Object.values(keys)) expect(output.stdout + output.stderr).not.toContain(key);
  });

  test("an empty providers.toml lists nothing and says how to add a provider", async () => {
    const ws = createWorkspace();
    const result = await runCli(ws, ["providers", "list"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/No providers\. Add one to providers\.toml/);
    expect(await runCliJson(ws, ["providers", "list", "--json"])).toEqual([]);
  });

  test("test <name> prints an ok line with the latency and usage; a refused key exits 1 with the provider's own message", async () => {
    const ws = createWorkspace();
    const good = await fakeModel([{ text: "ok", usage: { inputTokens: 12, outputTokens: 1 } }, { text: "ok" }]);
    const denied = await fakeModel([{ type: "error", status: 401, body: { error: { message: "Incorrect API key provided", type: "invalid_request_error" } } }]);
    writeProviders(
      ws,
      `[providers.good]\nprotocol = "openai"\nmodel = "fake-model"\nbase_url = "${good.baseUrls.openai}"\n\n` +
        `[providers.denied]\nprotocol = "openai"\nmodel = "fake-model"\nbase_url = "${denied.baseUrls.openai}"\napi_key = "sk-e2e-denied-0123456789"\n`,
    );
    const ok = await runCli(ws, ["providers", "test", "good"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^ok: good \(fake-model\) answered in \d+ ms \(first token \d+ ms; 12 tokens in, 1 out\): "ok"\n$/);
    // The tiny request really went out, as the protocol wants it.
    expect(good.requests[0]).toMatchObject({ route: "/v1/chat/completions", stream: true, body: { model: "fake-model", messages: [{ role: "user", content: expect.stringMatching(/ok/) }] } });

    const json = await runCliJson(ws, ["providers", "test", "good", "--json"]);
    expect(json).toMatchObject({ provider: "good", model: "fake-model", ok: true, text: "ok", totalMs: expect.any(Number), firstTokenMs: expect.any(Number) });

    const failed = await runCli(ws, ["providers", "test", "denied"]);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toBe("");
    expect(failed.stderr).toMatch(/^aleph: denied failed after \d+ ms: ALEPH_E_PROVIDER_AUTH \(HTTP 401\): denied answered HTTP 401: Incorrect API key provided\n {2}fix: check the api_key of \[providers\.denied\] in providers\.toml/);
    // A refused key is not retried.
    expect(denied.requests).toHaveLength(1);

    const unknown = await runCli(ws, ["providers", "test", "nope"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no provider "nope" in providers\.toml \(known: good, denied\)/);
  });
});

describe("aleph protocols", () => {
  test("list shows the built-ins, a custom file, and an invalid file with its error", async () => {
    const ws = createWorkspace();
    const good = writeProtocol(ws, "groq.yaml", GOOD_PROTOCOL);
    const bad = writeProtocol(ws, "broken.yaml", BAD_PROTOCOL);
    const table = await runCli(ws, ["protocols", "list"]);
    expect(table.code, table.stderr).toBe(0);
    const lines = table.stdout.trim().split("\n");
    expect(lines.slice(0, 4).map((line) => line.trim().split(/\s+/))).toEqual([
      ["NAME", "EXTENDS", "SOURCE"],
      ["anthropic", "anthropic", "builtin"],
      ["openai", "openai", "builtin"],
      ["ollama", "ollama", "builtin"],
    ]);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^groq\\s+openai\\s+${good}\\s*$`)));
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^broken\\s+-\\s+${bad}\\s+invalid: line 4: base-url: unknown field`)));

    const json = await runCliJson(ws, ["protocols", "list", "--json"]);
    expect(json).toEqual([
      { name: "anthropic", base: "anthropic", source: "builtin" },
      { name: "openai", base: "openai", source: "builtin" },
      { name: "ollama", base: "ollama", source: "builtin" },
      { name: "groq", base: "openai", source: good },
      { name: "broken", base: "openai", source: bad, error: { file: bad, line: 4, field: "base-url", message: expect.stringMatching(/^unknown field/) } },
    ]);
  });

  test("validate exits 0 for a good file and 1 with file:line: field: message for a bad one, a relative path taken from the cwd", async () => {
    const ws = createWorkspace();
    mkdirSync(join(ws.cwd, "drafts"));
    writeFileSync(join(ws.cwd, "drafts", "good.yaml"), GOOD_PROTOCOL);
    writeFileSync(join(ws.cwd, "drafts", "bad.yaml"), BAD_PROTOCOL);
    writeFileSync(join(ws.staging, "bad.yaml"), "name: elsewhere\nextends: gpt\n");

    const ok = await runCli(ws, ["protocols", "validate", "drafts/good.yaml"]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toBe(`ok: ${join(ws.cwd, "drafts", "good.yaml")} defines protocol "groq" (extends openai)\n`);

    const bad = await runCli(ws, ["protocols", "validate", "drafts/bad.yaml"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(`${join(ws.cwd, "drafts", "bad.yaml")}:4: base-url: unknown field (known: name, extends, base_url, model, auth, headers, request, response)\n`);

    const missing = await runCli(ws, ["protocols", "validate", "drafts/none.yaml"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`${join(ws.cwd, "drafts", "none.yaml")}: cannot read it: ENOENT\n`);

    // Through a running kernel (started in ws.cwd), the path is still the caller's: run from staging, staging's file is read.
    const kernel = await startReadyKernel(ws);
    const remote = await runCli(ws, ["protocols", "validate", "bad.yaml"], { cwd: ws.staging });
    expect(remote.code).toBe(1);
    expect(remote.stderr).toMatch(new RegExp(`^${join(ws.staging, "bad.yaml")}:2: extends: `));
    await kernel.stop();
  });

  test("a protocol file added under a running kernel is listed without a restart, and a provider can use it", async () => {
    const ws = createWorkspace();
    const model = await fakeModel([{ text: "through x" }]);
    writeProviders(ws, `[providers.viax]\nprotocol = "x"\nmodel = "fake-model"\nmax_retries = 0\n`);
    const kernel = await startReadyKernel(ws);
    const before = await runCliJson<{ name: string }[]>(ws, ["protocols", "list", "--json"]);
    expect(before.map((p) => p.name)).toEqual(["anthropic", "openai", "ollama"]);

    writeProtocol(ws, "x.yaml", `name: x\nextends: openai\nbase_url: ${model.baseUrls.openai}\nheaders:\n  X-Via: x\n`);
    await eventually(async () => expect((await runCliJson<{ name: string }[]>(ws, ["protocols", "list", "--json"])).map((p) => p.name)).toContain("x"));

    const tested = await runCli(ws, ["providers", "test", "viax"]);
    expect(tested.code, tested.stderr).toBe(0);
    expect(tested.stdout).toMatch(/^ok: viax \(fake-model\)/);
    expect(model.requests[0]!.headers["x-via"]).toBe("x");
    expect(kernel.exitInfo).toBeUndefined();
    await kernel.stop();
  });
});

describe("providers.toml under a running kernel", () => {
  test("a new api_key and base_url apply to the next providers test, without a restart", async () => {
    const ws = createWorkspace();
    const before = await fakeModel([{ text: "old endpoint" }]);
    const after = await fakeModel([{ text: "new endpoint" }]);
    const table = (server: FakeModelServer, key: string) => `[providers.main]\nprotocol = "openai"\nmodel = "fake-model"\nbase_url = "${server.baseUrls.openai}"\napi_key = "${key}"\nmax_retries = 0\n`;
    writeProviders(ws, table(before, "sk-e2e-before-0123456789"));
    const kernel = await startReadyKernel(ws);
    expect((await runCli(ws, ["providers", "test", "main"])).stdout).toMatch(/^ok: main/);
    expect(before.requests[0]!.headers.authorization).toBe("Bearer sk-e2e-before-0123456789");

    const mark = kernel.mark();
    writeProviders(ws, table(after, "sk-e2e-after-9876543210"));
    await kernel.waitForEvent("config.changed", (p) => p.sections.includes("providers"), 10_000, mark);
    const tested = await runCli(ws, ["providers", "test", "main"]);
    expect(tested.code, tested.stderr).toBe(0);
    expect(tested.stdout).toMatch(/"new endpoint"/);
    expect(after.requests).toHaveLength(1);
    expect(after.requests[0]!.headers.authorization).toBe("Bearer sk-e2e-after-9876543210");
    expect(before.requests).toHaveLength(1);
    // Applied in place: the plugin was not reloaded for it.
    expect(kernel.eventsSince(mark, "plugin.unloaded", (p) => p.id === "providers")).toEqual([]);
    await kernel.stop();
  });
});

describe("keys never leak", () => {
  test("with a literal key and a vault key, nothing the CLI prints, logs or stores holds either", { timeout: 90_000 }, async () => {
    const ws = vaultWorkspace();
    const literal = "sk-e2e-literal-c0ffee1234567";
    const vaulted = "sk-ant-e2e-vault-deadbeef9876";
    await setKey(ws, "claude", vaulted);
    // Servers that echo the key they got, as some do in their 401.
    // The first answer is a 500 (retried, so the retry is logged with the server's message), then refusals.
    const openai = await fakeModel([
      { type: "error", status: 500, body: { error: { message: `upstream failed for key ${literal}`, type: "server_error" } } },
      ...Array.from({ length: 3 }, (): FakeTurn => ({ type: "error", status: 401, body: { error: { message: `Incorrect API key provided: ${literal}`, type: "invalid_request_error" } } })),
    ]);
    const anthropic = await fakeModel(Array.from({ length: 3 }, (): FakeTurn => ({ type: "error", status: 401, body: { type: "error", error: { type: "authentication_error", message: `invalid x-api-key: ${vaulted}` } } })));
    const providers = (model: string) =>
      `[providers.inline]\nprotocol = "openai"\nmodel = "${model}"\nbase_url = "${openai.baseUrls.openai}"\napi_key = "${literal}"\nmax_retries = 1\n\n` +
      `[providers.vault]\nprotocol = "anthropic"\nmodel = "claude-x"\nbase_url = "${anthropic.baseUrls.anthropic}"\napi_key = "keys:claude"\n`;
    writeProviders(ws, providers("gpt-x"));

    const kernel = startKernel(ws, [], { env: { ALEPH_LOG: "debug" } });
    await kernel.ready();
    const tail = new KernelProcess(ws, ["events", "tail"]);
    const outputs: { name: string; text: string }[] = [];
    const run = async (args: string[], expectedCode: number) => {
      const result = await runCli(ws, args);
      expect(result.code, `aleph ${args.join(" ")}: ${result.stderr}`).toBe(expectedCode);
      outputs.push({ name: `aleph ${args.join(" ")}`, text: result.stdout + result.stderr });
      return result;
    };
    await run(["providers", "list"], 0);
    await run(["providers", "list", "--json"], 0);
    const inline = await run(["providers", "test", "inline"], 1);
    const vault = await run(["providers", "test", "vault"], 1);
    await run(["providers", "test", "vault", "--json"], 1);
    await run(["status", "--json"], 0);
    await run(["plugins", "list", "--json"], 0);
    await run(["plugins", "inspect", "providers"], 0);
    // The keys did reach the servers (so the failures above are the servers' refusals, quoted).
    expect(openai.requests[0]!.headers.authorization).toBe(`Bearer ${literal}`);
    expect(anthropic.requests[0]!.headers["x-api-key"]).toBe(vaulted);
    expect(inline.stderr).toMatch(/inline answered HTTP 401: Incorrect API key provided: \[redacted\]/);
    expect(vault.stderr).toMatch(/vault answered HTTP 401: invalid x-api-key: \[redacted\]/);

    // A change the tail sees: the providers section changed.
    writeProviders(ws, providers("gpt-y"));
    await tail.waitForEvent("config.changed", (p) => p.sections.includes("providers"));
    await kernel.stop();
    await tail.exited;

    outputs.push({ name: "kernel stderr", text: kernel.stderr }, { name: "kernel events", text: JSON.stringify(kernel.events) });
    outputs.push({ name: "events tail", text: JSON.stringify(tail.events) + tail.stderr });
    // Every file under the state root but the one the user wrote the literal key in (the vault holds only ciphertext).
    const stored = filesUnder(ws.root).filter((f) => f.path !== join(ws.root, "providers.toml"));
    // The logs did record the failures (with the server's message, key scrubbed).
    const retried = filesUnder(join(ws.root, "logs")).flatMap((f) => f.text.split("\n")).filter((line) => line.includes("retrying model call"));
    expect(retried).toEqual([expect.stringContaining("inline answered HTTP 500: upstream failed for key [redacted]")]);
    for (const { name, text } of [...outputs, ...stored.map((f) => ({ name: f.path, text: f.text }))]) {
      expect(text, name).not.toContain(literal);
      expect(text, name).not.toContain(vaulted);
    }
  });
});

describe("aleph config check", () => {
  test("refuses a [providers] table in config.toml, saying it belongs in providers.toml", async () => {
    const ws = createWorkspace({ config: `[providers.openai]\nprotocol = "openai"\nmodel = "gpt-x"\n` });
    const result = await runCli(ws, ["config", "check"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/config\.toml.*providers.*providers\.toml/);
    const json = await runCliJson(ws, ["config", "check", "--json"], 1);
    expect(json.errors).toContainEqual(expect.objectContaining({ file: ws.configFile, path: expect.stringMatching(/^providers/), message: expect.stringMatching(/providers\.toml/) }));
  });
});
