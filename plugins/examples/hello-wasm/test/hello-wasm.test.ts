// Runs the built plugin.wasm under Extism with fake host functions, the way the kernel's WASM loader
// will: checks what each export does and the exact JSON it sends to each host function.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import createPlugin, { type CallContext, type Plugin } from "@extism/extism";
import { afterEach, beforeAll, describe, expect, it } from "vitest";

const pluginDir = fileURLToPath(new URL("..", import.meta.url));
const wasmFile = `${pluginDir}plugin.wasm`;
const manifest = readFileSync(`${pluginDir}aleph_plugin.toml`, "utf8");

type HostFunction = "aleph_log" | "aleph_emit" | "aleph_config" | "aleph_kv_get" | "aleph_kv_set" | "aleph_call";
const hostFunctions: HostFunction[] = ["aleph_log", "aleph_emit", "aleph_config", "aleph_kv_get", "aleph_kv_set", "aleph_call"];

/** A fake host: a config section, a persistent store, a tools registry; it records every request. */
class FakeHost {
  requests: { fn: HostFunction; json: string }[] = [];
  constructor(
    public config: Record<string, unknown> = {},
    public kv = new Map<string, string>(),
    public tools: unknown[] = [{ name: "word_count" }, { name: "read_file" }, { name: "search" }],
    public callError: string | null = null,
  ) {}

  answer(fn: HostFunction, req: any): string | null {
    switch (fn) {
      case "aleph_config":
        return req.key === "" ? JSON.stringify(this.config) : req.key in this.config ? JSON.stringify(this.config[req.key]) : null;
      case "aleph_kv_get":
        return this.kv.get(req.key) ?? null;
      case "aleph_kv_set":
        if (req.value === null) this.kv.delete(req.key);
        else this.kv.set(req.key, JSON.stringify(req.value));
        return null;
      case "aleph_call":
        if (this.callError !== null) return JSON.stringify({ ok: false, error: this.callError });
        if (req.service === "tools" && req.method === "list") return JSON.stringify({ ok: true, result: this.tools });
        return JSON.stringify({ ok: false, error: `service ${req.service} is not in requires` });
      default:
        return null;
    }
  }

  /** The requests as [function, parsed JSON]. */
  sent(): [HostFunction, any][] {
    return this.requests.map((r) => [r.fn, JSON.parse(r.json)]);
  }
  events(): { event: string; payload: any }[] {
    return this.sent()
      .filter(([fn]) => fn === "aleph_emit")
      .map(([, req]) => req);
  }

  functions() {
    const table: Record<string, (ctx: CallContext, offset: bigint) => bigint> = {};
    for (const fn of hostFunctions) {
      table[fn] = (ctx, offset) => {
        const json = ctx.read(offset)!.text();
        this.requests.push({ fn, json });
        const reply = this.answer(fn, JSON.parse(json));
        return reply === null ? 0n : ctx.store(reply);
      };
    }
    return { "extism:host/user": table };
  }
}

let wasm: Uint8Array;
beforeAll(() => {
  if (!existsSync(wasmFile)) throw new Error(`${wasmFile} is missing: run \`pnpm build\` first`);
  wasm = readFileSync(wasmFile);
});

const open: Plugin[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()));
});

/** A fresh instance of plugin.wasm, limited as the manifest says (memory_mb = 32). */
async function start(host: FakeHost): Promise<Plugin> {
  const plugin = await createPlugin(
    { wasm: [{ data: wasm }] },
    { useWasi: false, functions: host.functions(), memory: { maxPages: (32 * 1024 * 1024) / 65536 } },
  );
  open.push(plugin);
  return plugin;
}

describe("the module", () => {
  it("exports every handler the manifest names, and imports only Extism and aleph_* host functions", async () => {
    const plugin = await start(new FakeHost());
    const exported = (await plugin.getExports()).map((e: { name: string }) => e.name);
    const handlers = [...manifest.matchAll(/^handler = "(\w+)"/gm)].map((m) => m[1]);
    expect(handlers).toEqual(["on_greet", "word_count"]);
    for (const name of ["activate", "deactivate", ...handlers]) expect(exported).toContain(name);

    const imports: { module: string; name: string }[] = await plugin.getImports();
    const user = imports.filter((i) => i.module === "extism:host/user").map((i) => i.name);
    expect(user.sort()).toEqual([...hostFunctions].sort());
    expect(imports.filter((i) => i.module !== "extism:host/user" && i.module !== "extism:host/env")).toEqual([]);
  });

  it("fits the manifest's memory limit", async () => {
    const host = new FakeHost();
    const plugin = await start(host);
    await plugin.call("activate");
    for (let i = 0; i < 200; i++) await plugin.call("word_count", JSON.stringify({ text: "lorem ipsum ".repeat(500) }));
    const memory: { buffer: ArrayBuffer } = (await plugin.getInstance()).exports.memory;
    expect(memory.buffer.byteLength).toBeLessThanOrEqual(32 * 1024 * 1024);
  });
});

describe("activate", () => {
  it("reads the greeting, counts the activation, lists the tools, logs and emits hello.activated", async () => {
    const host = new FakeHost();
    const plugin = await start(host);
    expect(await plugin.call("activate")).toBe(null);

    // The exact JSON text each host function receives, in order.
    expect(host.requests).toEqual([
      { fn: "aleph_config", json: '{"key":"greeting"}' },
      { fn: "aleph_kv_get", json: '{"key":"activations"}' },
      { fn: "aleph_kv_set", json: '{"key":"activations","value":1}' },
      { fn: "aleph_call", json: '{"service":"tools","method":"list","args":[]}' },
      { fn: "aleph_log", json: '{"level":"info","msg":"hello-wasm ready: activation 1, greeting Hello, 3 tools"}' },
      { fn: "aleph_emit", json: '{"event":"hello.activated","payload":{"activations":1,"greeting":"Hello","tools":3}}' },
    ]);
  });

  it("uses the configured greeting", async () => {
    const host = new FakeHost({ greeting: "Grüß Gott \"alle\"" });
    await (await start(host)).call("activate");
    expect(host.events()).toEqual([{ event: "hello.activated", payload: { activations: 1, greeting: 'Grüß Gott "alle"', tools: 3 } }]);
  });

  it("falls back to Hello for an empty or non-string greeting", async () => {
    for (const greeting of ["", 42, null, { text: "Hi" }]) {
      const host = new FakeHost({ greeting });
      await (await start(host)).call("activate");
      expect(host.events()[0]!.payload.greeting).toBe("Hello");
    }
  });

  it("keeps counting activations across instances (reloads and restarts) through the store", async () => {
    const kv = new Map<string, string>();
    for (let i = 1; i <= 3; i++) {
      const host = new FakeHost({}, kv);
      await (await start(host)).call("activate");
      expect(host.events()[0]!.payload.activations).toBe(i);
    }
    expect(kv.get("activations")).toBe("3");

    // Activating the same instance again (a reload that keeps the module) counts too.
    const host = new FakeHost({}, kv);
    const plugin = await start(host);
    await plugin.call("activate");
    await plugin.call("activate");
    expect(host.events().map((e) => e.payload.activations)).toEqual([4, 5]);
  });

  it("still activates when tools.list fails, and says so", async () => {
    const host = new FakeHost({}, new Map(), [], "tools is not available");
    await (await start(host)).call("activate");
    expect(host.sent()).toContainEqual(["aleph_log", { level: "warn", msg: "tools.list failed: tools is not available" }]);
    expect(host.events()[0]!.payload).toEqual({ activations: 1, greeting: "Hello", tools: 0 });
  });
});

describe("on_greet (hook for hello.greet)", () => {
  it("answers with hello.greeted {name, text}, as hello-node does", async () => {
    const host = new FakeHost({ greeting: "Howdy" });
    const plugin = await start(host);
    await plugin.call("activate");
    host.requests = [];

    expect(await plugin.call("on_greet", JSON.stringify({ name: "Ada" }))).toBe(null);
    expect(host.requests).toEqual([
      { fn: "aleph_log", json: '{"level":"info","msg":"greeted Ada"}' },
      { fn: "aleph_emit", json: '{"event":"hello.greeted","payload":{"name":"Ada","text":"Howdy, Ada!"}}' },
    ]);
  });

  it("carries quotes, backslashes, newlines and non-ASCII names through intact", async () => {
    const host = new FakeHost();
    const plugin = await start(host);
    await plugin.call("activate");
    for (const name of ['Ada "Countess" Lovelace', "back\\slash", "two\nlines", "Zoë 😀 日本"]) {
      await plugin.call("on_greet", JSON.stringify({ name, extra: { name: "not this one" } }));
      expect(host.events().at(-1)).toEqual({ event: "hello.greeted", payload: { name, text: `Hello, ${name}!` } });
    }
  });

  it("reads the greeting itself when called on an instance that was not activated", async () => {
    const host = new FakeHost({ greeting: "Salut" });
    await (await start(host)).call("on_greet", '{"name":"Marie"}');
    expect(host.sent()[0]).toEqual(["aleph_config", { key: "greeting" }]);
    expect(host.events()).toEqual([{ event: "hello.greeted", payload: { name: "Marie", text: "Salut, Marie!" } }]);
  });

  it("fails the call when the payload has no string name", async () => {
    const plugin = await start(new FakeHost());
    for (const payload of ["{}", '{"name": 3}', "", "not json"]) {
      await expect(plugin.call("on_greet", payload)).rejects.toThrow('hello.greet needs a string "name"');
    }
  });
});

describe("word_count (tool)", () => {
  const texts = [
    "",
    "   ",
    "one",
    "The quick brown fox",
    "  leading and trailing  ",
    "tabs\tand\nnewlines\r\nmixed",
    "non\u00a0breaking\u2003em\u3000ideographic",
    "naïve café — déjà vu 😀",
    'quotes "inside" and back\\slashes',
  ];

  it("answers {count} with the number of whitespace-separated words", async () => {
    const host = new FakeHost();
    const plugin = await start(host);
    for (const text of texts) {
      const out = await plugin.call("word_count", JSON.stringify({ text }));
      const expected = text.split(/\s+/).filter(Boolean).length;
      expect(out?.text(), JSON.stringify(text)).toBe(`{"count":${expected}}`);
    }
    expect(host.requests).toEqual([]);
  });

  it("fails the call without a string text", async () => {
    const plugin = await start(new FakeHost());
    await expect(plugin.call("word_count", '{"text": null}')).rejects.toThrow('word_count needs a string "text"');
  });
});

describe("deactivate", () => {
  it("logs", async () => {
    const host = new FakeHost();
    expect(await (await start(host)).call("deactivate")).toBe(null);
    expect(host.requests).toEqual([{ fn: "aleph_log", json: '{"level":"info","msg":"hello-wasm stopping"}' }]);
  });
});
