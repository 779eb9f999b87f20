import { describe, expect, it } from "vitest";
import { hostMatches, normalizeHost, parseHostList, parseHostPattern, type HostPattern } from "./host-pattern.js";

const pattern = (entry: string) => parseHostPattern(entry) as HostPattern;
// A URL's host as web_fetch compares it.
const hostOf = (url: string) => normalizeHost(new URL(url).hostname);

describe("host patterns", () => {
  it("normalises entries as the URL parser normalises hosts", () => {
    expect(parseHostPattern("Example.COM.")).toEqual({ host: "example.com", wildcard: false });
    expect(parseHostPattern(" *.Example.com ")).toEqual({ host: "example.com", wildcard: true });
    expect(parseHostPattern("bücher.de")).toEqual({ host: "xn--bcher-kva.de", wildcard: false });
    expect(parseHostPattern("0x7f.1")).toEqual({ host: "127.0.0.1", wildcard: false });
    expect(parseHostPattern("::1")).toEqual({ host: "::1", wildcard: false });
    expect(parseHostPattern("[0:0::1]")).toEqual({ host: "::1", wildcard: false });
  });

  it("refuses entries that are not hosts, saying why", () => {
    const cases: [string, RegExp][] = [
      ["", /empty/],
      ["*.", /empty/],
      ["example.com:8080", /no ports/],
      ["https://example.com", /not a host name/],
      ["example.com/path", /not a host name/],
      ["a b.com", /not a host name/],
      ["*.*.example.com", /not a host name/],
      ["ex*ample.com", /not a host name/],
      ["*.10.0.0.1", /wildcard on an IP address/],
      ["exa%mple.com", /not a valid host name/],
    ];
    for (const [entry, why] of cases) expect(parseHostPattern(entry), entry).toMatch(why);
    expect(() => parseHostList(["ok.com", "bad.com:1"])).toThrow(/"bad.com:1"/);
  });

  it("matches a host exactly, and a wildcard on subdomains at any depth but not the domain itself", () => {
    expect(hostMatches(hostOf("https://EXAMPLE.com./x"), pattern("example.com"))).toBe(true);
    expect(hostMatches(hostOf("https://www.example.com/"), pattern("example.com"))).toBe(false);
    expect(hostMatches(hostOf("https://www.example.com/"), pattern("*.example.com"))).toBe(true);
    expect(hostMatches(hostOf("https://a.b.example.com/"), pattern("*.example.com"))).toBe(true);
    expect(hostMatches(hostOf("https://example.com/"), pattern("*.example.com"))).toBe(false);
    expect(hostMatches(hostOf("https://notexample.com/"), pattern("*.example.com"))).toBe(false);
    expect(hostMatches(hostOf("https://example.com.evil.net/"), pattern("example.com"))).toBe(false);
  });

  it("matches IP literals however the URL wrote them", () => {
    for (const url of ["http://127.0.0.1/", "http://2130706433/", "http://0x7f000001/", "http://0177.0.0.1/", "http://127.1/"]) {
      expect(hostMatches(hostOf(url), pattern("127.0.0.1")), url).toBe(true);
    }
    expect(hostMatches(hostOf("http://[0:0:0:0:0:0:0:1]:8080/"), pattern("::1"))).toBe(true);
  });
});
