import { describe, expect, it } from "vitest";
import { validateWithSchema } from "@aleph/plugin-sdk";
import { gatewayConfigSchema, isLoopbackHost, normalizeOrigin } from "./config.js";

const validate = (value: unknown) => validateWithSchema(gatewayConfigSchema, value);
const issuesOf = async (value: unknown) => {
  const result = await validate(value);
  return result.ok ? [] : result.issues.map((i) => `${i.path}: ${i.message}`);
};

describe("the [gateway] schema", () => {
  it("fills in the defaults for an empty section", async () => {
    expect(await validate({})).toEqual({
      ok: true,
      value: { enabled: true, host: "127.0.0.1", port: 18790, require_auth: true, allowed_origins: [], max_payload_bytes: 1048576, rate_limit: 50, max_connections: 64 },
    });
  });

  it("takes valid settings as given", async () => {
    const section = { enabled: false, host: "::1", port: 0, require_auth: false, allowed_origins: ["http://192.168.1.20:18790", "https://aleph.example.com"], max_payload_bytes: 4096, rate_limit: 5, max_connections: 2 };
    expect(await validate(section)).toEqual({ ok: true, value: section });
    expect((await validate({ host: "0.0.0.0", require_auth: true })).ok).toBe(true);
    // Off, a gateway cannot expose anything.
    expect((await validate({ enabled: false, host: "0.0.0.0", require_auth: false })).ok).toBe(true);
  });

  it("refuses unknown keys, bad hosts, ports, origins and limits, naming the key", async () => {
    expect(await issuesOf({ prot: 1 })).toEqual([expect.stringMatching(/prot/)]);
    expect(await issuesOf({ port: 70000 })).toEqual([expect.stringMatching(/^port:/)]);
    expect(await issuesOf({ port: -1 })).toEqual([expect.stringMatching(/^port:/)]);
    expect(await issuesOf({ port: 80.5 })).toEqual([expect.stringMatching(/^port:/)]);
    expect(await issuesOf({ port: "18790" })).toEqual([expect.stringMatching(/^port:/)]);
    expect(await issuesOf({ host: "" })).toEqual([expect.stringMatching(/^host:/)]);
    expect(await issuesOf({ host: "http://localhost" })).toEqual([expect.stringMatching(/^host: a host name or an IP address/)]);
    expect(await issuesOf({ host: "localhost:8080" })).toEqual([expect.stringMatching(/^host:/)]);
    expect(await issuesOf({ allowed_origins: ["localhost:3000"] })).toEqual([expect.stringMatching(/^allowed_origins\.0: "localhost:3000" is not an origin/)]);
    expect(await issuesOf({ allowed_origins: ["http://example.com/app"] })).toEqual([expect.stringMatching(/^allowed_origins\.0:/)]);
    expect(await issuesOf({ allowed_origins: ["ftp://example.com"] })).toEqual([expect.stringMatching(/^allowed_origins\.0:/)]);
    expect(await issuesOf({ allowed_origins: "http://example.com" })).toEqual([expect.stringMatching(/^allowed_origins:/)]);
    expect(await issuesOf({ max_payload_bytes: 10 })).toEqual([expect.stringMatching(/^max_payload_bytes:/)]);
    expect(await issuesOf({ rate_limit: 0 })).toEqual([expect.stringMatching(/^rate_limit:/)]);
    expect(await issuesOf({ max_connections: 0 })).toEqual([expect.stringMatching(/^max_connections:/)]);
    expect(await issuesOf({ require_auth: "no" })).toEqual([expect.stringMatching(/^require_auth:/)]);
  });

  it("refuses a host other machines reach without auth, saying what to set", async () => {
    for (const host of ["0.0.0.0", "::", "192.168.1.20", "aleph.example.com"]) {
      expect(await issuesOf({ host, require_auth: false })).toEqual([expect.stringMatching(new RegExp(`^require_auth: host "${host.replace(/\./g, "\\.")}" is reachable from other machines.*set require_auth = true`))]);
    }
    for (const host of ["127.0.0.1", "127.1.2.3", "localhost", "::1"]) expect((await validate({ host, require_auth: false })).ok).toBe(true);
  });
});

describe("hosts and origins", () => {
  it("knows loopback hosts", () => {
    expect(["localhost", "LOCALHOST", "127.0.0.1", "127.255.0.9", "::1", "app.localhost"].every(isLoopbackHost)).toBe(true);
    expect(["0.0.0.0", "::", "10.0.0.1", "example.com", "128.0.0.1", "localhost.example.com"].some(isLoopbackHost)).toBe(false);
  });

  it("normalises an origin as browsers send it, and refuses what is not one", () => {
    expect(normalizeOrigin("HTTP://LocalHost:18790")).toBe("http://localhost:18790");
    expect(normalizeOrigin("https://example.com:443")).toBe("https://example.com");
    expect(normalizeOrigin("http://[::1]:18790/")).toBe("http://[::1]:18790");
    for (const bad of ["null", "example.com", "http://example.com/x", "http://u:p@example.com", "http://example.com?x=1", "ws://example.com", ""]) expect(normalizeOrigin(bad)).toBeUndefined();
  });
});
