import { describe, expect, it } from "vitest";
import { isPrivateAllowed } from "./allowance-match.js";
import { parseIp } from "./ip-address.js";
import { parsePrivateAllowance, parsePrivateAllowances, suggestedAllowance } from "./private-allowance.js";

const allows = (entries: string[], host: string, port: number, address: string) => isPrivateAllowed({ host, port, address: parseIp(address)! }, parsePrivateAllowances(entries));

describe("allow_private entries", () => {
  it("parses hosts, addresses and ranges, with and without a port", () => {
    expect(parsePrivateAllowance("localhost")).toMatchObject({ kind: "host", pattern: { host: "localhost", wildcard: false } });
    expect(parsePrivateAllowance("localhost:3000")).toMatchObject({ kind: "host", port: 3000 });
    expect(parsePrivateAllowance("*.internal")).toMatchObject({ kind: "host", pattern: { host: "internal", wildcard: true } });
    expect(parsePrivateAllowance("127.0.0.1")).toMatchObject({ kind: "network", network: { prefix: 32 } });
    expect(parsePrivateAllowance("127.0.0.1:8080")).toMatchObject({ kind: "network", network: { prefix: 32 }, port: 8080 });
    expect(parsePrivateAllowance("10.0.0.0/8")).toMatchObject({ kind: "network", network: { prefix: 8 } });
    expect(parsePrivateAllowance("10.0.0.0/8:8080")).toMatchObject({ kind: "network", network: { prefix: 8 }, port: 8080 });
    expect(parsePrivateAllowance("::1")).toMatchObject({ kind: "network", network: { prefix: 128 } });
    expect(parsePrivateAllowance("fd00::/8")).toMatchObject({ kind: "network", network: { prefix: 8 } });
    expect(parsePrivateAllowance("[::1]:8080")).toMatchObject({ kind: "network", network: { prefix: 128 }, port: 8080 });
    expect(parsePrivateAllowance("[fd00::/8]")).toMatchObject({ kind: "network", network: { prefix: 8 } });
    expect(parsePrivateAllowance("[fd00::/8]:443")).toMatchObject({ kind: "network", port: 443 });
  });

  it("refuses bad entries, saying why", () => {
    const cases: [string, RegExp][] = [
      ["", /empty/],
      ["127.0.0.1:0", /not a port number/],
      ["127.0.0.1:65536", /not a port number/],
      ["127.0.0.1:http", /not a port number/],
      ["localhost:", /not a port number/],
      ["10.0.0.0/33", /not a valid IP address or CIDR range/],
      ["300.0.0.1", /not a valid IP address or CIDR range/],
      ["fd00::/200", /not a valid IP address or CIDR range/],
      ["[::1", /not a valid IP address or CIDR range/],
      ["intranet/8", /not a CIDR range/],
      ["http://localhost:3000", /is a URL, not a host name/],
    ];
    for (const [entry, why] of cases) expect(parsePrivateAllowance(entry), entry).toMatch(why);
    expect(() => parsePrivateAllowances(["localhost", "10.0.0.0/99"])).toThrow(/"10.0.0.0\/99"/);
  });
});

describe("isPrivateAllowed", () => {
  it("allows an address, a range, or a host's every address — on any port unless one is given", () => {
    expect(allows(["127.0.0.1"], "127.0.0.1", 80, "127.0.0.1")).toBe(true);
    expect(allows(["127.0.0.1:8080"], "127.0.0.1", 8080, "127.0.0.1")).toBe(true);
    expect(allows(["127.0.0.1:8080"], "127.0.0.1", 8081, "127.0.0.1")).toBe(false);
    expect(allows(["127.0.0.1"], "127.0.0.1", 80, "127.0.0.2")).toBe(false);
    expect(allows(["10.0.0.0/8"], "db.internal", 5432, "10.9.8.7")).toBe(true);
    expect(allows(["10.0.0.0/8"], "db.internal", 5432, "11.0.0.1")).toBe(false);
    expect(allows(["fd00::/8"], "svc", 80, "fd12::1")).toBe(true);
    expect(allows(["fd00::/8"], "svc", 80, "fe80::1")).toBe(false);
    expect(allows(["[::1]:8080"], "::1", 8080, "::1")).toBe(true);
    expect(allows(["localhost:3000"], "localhost", 3000, "::1")).toBe(true);
    expect(allows(["localhost:3000"], "localhost", 3000, "127.0.0.1")).toBe(true);
    expect(allows(["localhost:3000"], "localhost", 3001, "127.0.0.1")).toBe(false);
    expect(allows(["*.internal"], "wiki.internal", 80, "10.1.1.1")).toBe(true);
    expect(allows(["*.internal"], "internal.evil.com", 80, "10.1.1.1")).toBe(false);
    expect(allows([], "localhost", 80, "127.0.0.1")).toBe(false);
  });

  it("an address allowance covers the IPv6 forms carrying it, and a host allowance is not an address allowance", () => {
    expect(allows(["127.0.0.1"], "::ffff:127.0.0.1", 80, "::ffff:127.0.0.1")).toBe(true);
    expect(allows(["10.0.0.0/8"], "x", 80, "64:ff9b::a00:1")).toBe(true);
    expect(allows(["127.0.0.1"], "x", 80, "::1")).toBe(false);
    // "localhost" grants the name, not 127.0.0.1 reached by another name or as a literal.
    expect(allows(["localhost"], "127.0.0.1", 80, "127.0.0.1")).toBe(false);
    expect(allows(["localhost"], "rebind.example", 80, "127.0.0.1")).toBe(false);
  });

  it("suggests the entry that would allow a refused destination", () => {
    expect(suggestedAllowance("127.0.0.1", 8080, "127.0.0.1")).toBe("127.0.0.1:8080");
    expect(suggestedAllowance("::1", 80, "::1")).toBe("[::1]:80");
    expect(suggestedAllowance("localhost", 3000, "::1")).toBe("localhost:3000");
    for (const entry of ["127.0.0.1:8080", "[::1]:80", "localhost:3000"]) expect(typeof parsePrivateAllowance(entry), entry).toBe("object");
  });
});
