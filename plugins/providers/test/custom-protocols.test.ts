import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeModelServer, type FakeModelServer, type FakeTurn } from "@aleph/testing";
import { afterEach, describe, expect, it } from "vitest";
import { loadCustomProtocols } from "../src/protocols/custom-protocols.js";
import { parseProtocolFile, type ParsedProtocolFile, type ProtocolFileIssue } from "../src/protocols/protocol-file.js";
import { ProtocolRegistry } from "../src/protocols/registry.js";
import { collect, doneOf, errorOf } from "./protocol-harness.js";
import { hello, providersConfig, serviceFor } from "./service-harness.js";

/*
 * Custom protocols (<root>/protocols/*.yaml): what a file may say and how each mistake is reported
 * (file, line, field), how a directory of them loads (a bad file never takes the good ones down),
 * and that a custom protocol really changes the HTTP request a provider sends.
 */

const FILE = "/ws/protocols/groq.yaml";
const dirs: string[] = [];
const servers: FakeModelServer[] = [];

afterEach(async () => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function tempDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "aleph-protocols-"));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

async function fakeModel(turns: FakeTurn[]): Promise<FakeModelServer> {
  const server = await startFakeModelServer(turns);
  servers.push(server);
  return server;
}

function issuesOf(parsed: ParsedProtocolFile): ProtocolFileIssue[] {
  if (parsed.ok) throw new Error(`expected issues, the file parsed: ${JSON.stringify(parsed.protocol)}`);
  return parsed.issues;
}

describe("parseProtocolFile", () => {
  it("reads a file with every field into the overrides of the built-in it extends", async () => {
    const text = [
      "name: groq",
      "extends: openai",
      "base_url: https://api.groq.com/openai/v1",
      "model: llama-3.3-70b-versatile",
      "auth: { header: X-Api-Key, prefix: 'Key ' }",
      "headers:",
      "  X-Title: aleph",
      "request:",
      "  extra: { service_tier: auto, top_k: 5 }",
      "response:",
      "  content: choices.0.message.content",
      "  input_tokens: usage.prompt_tokens",
      "  output_tokens: usage.completion_tokens",
      "  error: error.message",
      "",
    ].join("\n");
    expect(await parseProtocolFile(text, FILE)).toEqual({
      ok: true,
      protocol: {
        name: "groq",
        extends: "openai",
        file: FILE,
        overrides: {
          baseUrl: "https://api.groq.com/openai/v1",
          model: "llama-3.3-70b-versatile",
          authHeader: "X-Api-Key",
          authPrefix: "Key ",
          headers: { "X-Title": "aleph" },
          extraBody: { service_tier: "auto", top_k: 5 },
          responsePaths: { content: "choices.0.message.content", inputTokens: "usage.prompt_tokens", outputTokens: "usage.completion_tokens", error: "error.message" },
        },
      },
    });
  });

  it("takes a minimal file: name and extends, nothing overridden", async () => {
    expect(await parseProtocolFile("name: local\nextends: ollama\n", FILE)).toEqual({ ok: true, protocol: { name: "local", extends: "ollama", file: FILE, overrides: { headers: {}, extraBody: {} } } });
  });

  it("reports YAML that does not parse with the file and the line", async () => {
    const issues = issuesOf(await parseProtocolFile("name: groq\nextends: openai\nheaders: {X-Title: aleph\n", FILE));
    expect(issues[0]).toMatchObject({ file: FILE, message: expect.stringMatching(/^invalid YAML: /) });
    expect(issues[0]!.line).toBeGreaterThanOrEqual(3);
  });

  it("reports an unknown field with its name, its line and the fields there are", async () => {
    const [issue, ...rest] = issuesOf(await parseProtocolFile("name: groq\nextends: openai\n\nbase-url: https://x.example/v1\n", FILE));
    expect(rest).toEqual([]);
    expect(issue).toEqual({ file: FILE, line: 4, field: "base-url", message: expect.stringMatching(/^unknown field \(known: name, extends, base_url, model, auth, headers, request, response\)$/) });
  });

  it("reports an unknown field of a nested table with the fields of that table", async () => {
    const [issue] = issuesOf(await parseProtocolFile("name: groq\nextends: openai\nauth:\n  header: X-Key\n  prefx: 'Bearer '\n", FILE));
    expect(issue).toEqual({ file: FILE, line: 5, field: "auth.prefx", message: "unknown field (known: header, prefix)" });
  });

  it("reports extends that is not a built-in at the extends line", async () => {
    const [issue] = issuesOf(await parseProtocolFile("name: groq\nextends: gpt\n", FILE));
    expect(issue).toMatchObject({ file: FILE, line: 2, field: "extends", message: expect.stringMatching(/anthropic.*openai.*ollama/) });
  });

  it("refuses a built-in protocol's name", async () => {
    const parsed = await parseProtocolFile("extends: anthropic\nname: openai\n", FILE);
    expect(issuesOf(parsed)).toEqual([{ file: FILE, line: 2, field: "name", message: "is a built-in protocol's name; choose another" }]);
    // The name still comes back, so a listing can show which protocol the broken file meant.
    expect(parsed).toMatchObject({ ok: false, name: "openai" });
  });

  it("refuses a header name that is not one, saying what a key must be", async () => {
    const [issue] = issuesOf(await parseProtocolFile("name: groq\nextends: openai\nheaders:\n  X-Ok: yes\n  Bad Header: value\n", FILE));
    expect(issue).toMatchObject({ file: FILE, line: 5, field: "headers.Bad Header", message: "the key must be an HTTP header name" });
  });

  it("refuses a response path that is not a dotted path", async () => {
    const [issue] = issuesOf(await parseProtocolFile("name: groq\nextends: openai\nresponse:\n  content: choices[0].message.content\n", FILE));
    expect(issue).toMatchObject({ file: FILE, line: 4, field: "response.content", message: expect.stringMatching(/dotted path such as choices\.0\.message\.content/) });
  });

  it("refuses a file that is not a mapping, and one without a name", async () => {
    expect(issuesOf(await parseProtocolFile("- openai\n", FILE))[0]).toMatchObject({ line: 1, message: expect.stringMatching(/expected object/) });
    expect(issuesOf(await parseProtocolFile("extends: openai\n", FILE))[0]).toMatchObject({ field: "name" });
  });
});

describe("loadCustomProtocols", () => {
  it("installs the good file and lists the bad one with its error", async () => {
    const dir = tempDir({ "good.yaml": "name: good\nextends: openai\n", "bad.yml": "name: bad\nextends: openai\nauth: 5\n", "notes.txt": "not a protocol" });
    const { custom, broken } = await loadCustomProtocols(dir);
    expect(custom.map((c) => [c.name, c.file])).toEqual([["good", join(dir, "good.yaml")]]);
    expect(broken).toEqual([{ name: "bad", file: join(dir, "bad.yml"), error: expect.objectContaining({ file: join(dir, "bad.yml"), line: 3, field: "auth" }) }]);

    const registry = new ProtocolRegistry();
    registry.setCustom(custom, broken);
    expect(registry.names()).toEqual(["anthropic", "openai", "ollama", "good"]);
    expect(registry.list().slice(3)).toEqual([
      { name: "good", base: "openai", source: join(dir, "good.yaml") },
      { name: "bad", base: "openai", source: join(dir, "bad.yml"), error: expect.objectContaining({ field: "auth" }) },
    ]);
  });

  it("two files naming one protocol: the first by file name wins, the second is reported", async () => {
    const dir = tempDir({ "a.yaml": "name: same\nextends: openai\n", "b.yaml": "name: same\nextends: ollama\n" });
    const { custom, broken } = await loadCustomProtocols(dir);
    expect(custom).toEqual([expect.objectContaining({ name: "same", extends: "openai", file: join(dir, "a.yaml") })]);
    expect(broken).toEqual([{ name: "same", file: join(dir, "b.yaml"), error: { file: join(dir, "b.yaml"), field: "name", message: `protocol "same" is already defined by ${join(dir, "a.yaml")}` } }]);
  });

  it("a directory that does not exist is no protocols, not an error", async () => {
    expect(await loadCustomProtocols(join(tmpdir(), "aleph-no-such-dir-0f3c"))).toEqual({ custom: [], broken: [] });
  });
});

describe("a custom protocol in use", () => {
  async function registryWith(files: Record<string, string>): Promise<ProtocolRegistry> {
    const { custom, broken } = await loadCustomProtocols(tempDir(files));
    const registry = new ProtocolRegistry();
    registry.setCustom(custom, broken);
    return registry;
  }

  const gatewayFile = (baseUrl: string) =>
    [
      "name: gateway",
      "extends: openai",
      `base_url: ${baseUrl}`,
      "model: gw-default",
      "auth:",
      "  header: X-Gateway-Key",
      "  prefix: 'Token '",
      "headers:",
      "  X-Title: aleph",
      "  X-Route: fast",
      "request:",
      "  extra:",
      "    service_tier: auto",
      "    stream: false",
      "",
    ].join("\n");

  it("changes the request: its base URL, auth header and prefix, headers and body fields, and default model", async () => {
    const server = await fakeModel([{ text: "through the gateway" }]);
    const protocols = await registryWith({ "gateway.yaml": gatewayFile(server.baseUrls.openai) });
    const { service } = serviceFor(providersConfig({ gw: { protocol: "gateway", api_key: "gw-secret-0123456789" } }), { protocols });
    const response = await service.complete(hello);
    expect(response).toMatchObject({ provider: "gw", model: "gw-default", text: "through the gateway" });

    const [request] = server.requests;
    expect(request!.route).toBe("/v1/chat/completions");
    expect(request!.headers["x-gateway-key"]).toBe("Token gw-secret-0123456789");
    expect(request!.headers.authorization).toBeUndefined();
    expect(request!.headers["x-title"]).toBe("aleph");
    expect(request!.headers["x-route"]).toBe("fast");
    expect(request!.body).toMatchObject({ model: "gw-default", service_tier: "auto" });
    // `request.extra` adds fields; it cannot turn the stream the call asked for off.
    expect(request!.body.stream).toBe(true);
    expect(request!.stream).toBe(true);
  });

  it("the provider's own base_url, model and headers win over the protocol's", async () => {
    const unused = await fakeModel([]);
    const own = await fakeModel([{ text: "from the provider's own endpoint" }]);
    const protocols = await registryWith({ "gateway.yaml": gatewayFile(unused.baseUrls.openai) });
    const { service } = serviceFor(
      providersConfig({ gw: { protocol: "gateway", model: "own-model", base_url: own.baseUrls.openai, api_key: "gw-secret-0123456789", headers: { "X-Route": "slow" } } }),
      { protocols },
    );
    expect(doneOf(await collect(service.stream(hello))).text).toBe("from the provider's own endpoint");
    expect(unused.requests).toHaveLength(0);
    expect(own.requests[0]!.headers["x-route"]).toBe("slow");
    expect(own.requests[0]!.body.model).toBe("own-model");
  });

  it("a provider naming a protocol whose file is invalid is told which file and how to check it", async () => {
    const protocols = await registryWith({ "gateway.yaml": "name: gateway\nextends: openai\nbase_url: not a url\n" });
    const { service } = serviceFor(providersConfig({ gw: { protocol: "gateway", model: "m" } }), { protocols });
    const error = errorOf(await collect(service.stream(hello)));
    expect(error).toMatchObject({ kind: "config", code: "ALEPH_E_PROVIDER_CONFIG", provider: "gw" });
    expect(error.message).toMatch(/providers\.toml \[providers\.gw\] uses protocol "gateway", whose file .*gateway\.yaml is invalid/);
    expect(error.fix).toMatch(/aleph protocols validate .*gateway\.yaml/);
  });
});
