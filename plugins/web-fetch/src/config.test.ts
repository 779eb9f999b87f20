import { describe, expect, it } from "vitest";
import { validateWithSchema } from "@aleph/plugin-sdk";
import { webFetchConfigSchema } from "./config.js";

const validate = (value: unknown) => validateWithSchema(webFetchConfigSchema, value);
const issuesOf = async (value: unknown) => {
  const result = await validate(value);
  return result.ok ? [] : result.issues.map((i) => `${i.path}: ${i.message}`);
};

describe("the [tools.web] schema", () => {
  it("fills in the defaults for an empty section", async () => {
    expect(await validate({})).toEqual({
      ok: true,
      value: { allow_hosts: [], deny_hosts: [], allow_private: [], max_bytes: 2 * 1024 * 1024, max_chars: 80_000, timeout_seconds: 20, max_redirects: 5, user_agent: "Aleph-web-fetch/1.0" },
    });
  });

  it("takes valid lists and limits as given", async () => {
    const section = { allow_hosts: ["example.com", "*.example.org"], deny_hosts: ["ads.example.com"], allow_private: ["127.0.0.1:8080", "10.0.0.0/8", "[::1]:3000", "localhost"], max_bytes: 4096, max_chars: 500, timeout_seconds: 0.5, max_redirects: 0, user_agent: "test-agent" };
    expect(await validate(section)).toEqual({ ok: true, value: section });
  });

  it("refuses unknown keys, bad entries and out-of-range limits, naming the key and the entry", async () => {
    expect(await issuesOf({ allow_privat: ["127.0.0.1"] })).toEqual([expect.stringMatching(/allow_privat/)]);
    expect(await issuesOf({ allow_private: ["127.0.0.1", "10.0.0.0/33"] })).toEqual([expect.stringMatching(/^allow_private\.1: "10\.0\.0\.0\/33" is not a valid IP address or CIDR range/)]);
    expect(await issuesOf({ allow_private: ["127.0.0.1:99999"] })).toEqual([expect.stringMatching(/not a port number/)]);
    expect(await issuesOf({ allow_hosts: ["https://example.com"] })).toEqual([expect.stringMatching(/^allow_hosts\.0: .*not a host name/)]);
    expect(await issuesOf({ deny_hosts: ["example.com:443"] })).toEqual([expect.stringMatching(/^deny_hosts\.0: .*no ports/)]);
    expect(await issuesOf({ allow_hosts: "example.com" })).toEqual([expect.stringMatching(/^allow_hosts:/)]);
    expect(await issuesOf({ max_bytes: 10 })).toEqual([expect.stringMatching(/^max_bytes:/)]);
    expect(await issuesOf({ max_bytes: 1.5e9 })).toEqual([expect.stringMatching(/^max_bytes:/)]);
    expect(await issuesOf({ max_chars: 2.5 })).toEqual([expect.stringMatching(/^max_chars:/)]);
    expect(await issuesOf({ timeout_seconds: 0 })).toEqual([expect.stringMatching(/^timeout_seconds:/)]);
    expect(await issuesOf({ max_redirects: -1 })).toEqual([expect.stringMatching(/^max_redirects:/)]);
    expect(await issuesOf({ user_agent: "evil\r\nX-Injected: 1" })).toEqual([expect.stringMatching(/^user_agent: must not contain control characters/)]);
  });
});
