import { describe, expect, it } from "vitest";
import { describeReason, embeddedIPv4, nonPublicReason } from "./address-class.js";
import { parseIp } from "./ip-address.js";

const reason = (text: string) => nonPublicReason(parseIp(text)!);

describe("nonPublicReason", () => {
  it("lets public unicast addresses through", () => {
    for (const text of ["8.8.8.8", "1.1.1.1", "93.184.216.34", "172.15.255.255", "172.32.0.0", "100.63.255.255", "100.128.0.0", "198.17.255.255", "198.20.0.0", "223.255.255.255", "169.253.0.1", "2606:4700:4700::1111", "2a00:1450:4001:80b::200e", "::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"]) {
      expect(reason(text), text).toBeUndefined();
    }
  });

  it("refuses every non-public IPv4 range, naming it", () => {
    const cases: [string, string, RegExp][] = [
      ["0.0.0.0", "0.0.0.0/8", /this network/],
      ["0.255.1.2", "0.0.0.0/8", /this network/],
      ["10.20.30.40", "10.0.0.0/8", /private/],
      ["100.64.0.1", "100.64.0.0/10", /carrier-grade NAT/],
      ["127.0.0.1", "127.0.0.0/8", /loopback/],
      ["127.255.255.254", "127.0.0.0/8", /loopback/],
      ["169.254.169.254", "169.254.0.0/16", /link-local.*metadata/],
      ["172.16.0.1", "172.16.0.0/12", /private/],
      ["172.31.255.255", "172.16.0.0/12", /private/],
      ["192.0.0.8", "192.0.0.0/24", /IETF/],
      ["192.0.2.1", "192.0.2.0/24", /documentation/],
      ["192.88.99.1", "192.88.99.0/24", /6to4 relay/],
      ["192.168.1.1", "192.168.0.0/16", /private/],
      ["198.18.0.1", "198.18.0.0/15", /benchmarking/],
      ["198.19.255.255", "198.18.0.0/15", /benchmarking/],
      ["198.51.100.7", "198.51.100.0/24", /documentation/],
      ["203.0.113.9", "203.0.113.0/24", /documentation/],
      ["224.0.0.1", "224.0.0.0/4", /multicast/],
      ["239.255.255.250", "224.0.0.0/4", /multicast/],
      ["240.0.0.1", "240.0.0.0/4", /reserved/],
      ["255.255.255.255", "255.255.255.255/32", /broadcast/],
    ];
    for (const [address, range, kind] of cases) {
      expect(reason(address), address).toMatchObject({ address, range, kind: expect.stringMatching(kind) });
    }
  });

  it("refuses non-public IPv6 ranges", () => {
    const cases: [string, string][] = [
      ["::", "::/128"],
      ["::1", "::1/128"],
      ["::127.0.0.1", "::/96"],
      ["::8.8.8.8", "::/96"],
      ["64:ff9b:1::1", "64:ff9b:1::/48"],
      ["100::1", "100::/64"],
      ["2001::1", "2001::/32"],
      ["2001:db8::1", "2001:db8::/32"],
      ["fc00::1", "fc00::/7"],
      ["fd12:3456::1", "fc00::/7"],
      ["fe80::1", "fe80::/10"],
      ["fe80::1%lo", "fe80::/10"],
      ["febf::1", "fe80::/10"],
      ["fec0::1", "fec0::/10"],
      ["ff02::1", "ff00::/8"],
    ];
    for (const [address, range] of cases) expect(reason(address), address).toMatchObject({ range });
  });

  it("judges IPv4-mapped, -translated, NAT64 and 6to4 addresses by the IPv4 address inside", () => {
    expect(reason("::ffff:127.0.0.1")).toMatchObject({ address: "::ffff:7f00:1", embedded: "127.0.0.1", range: "127.0.0.0/8" });
    expect(reason("::ffff:7f00:1")).toMatchObject({ embedded: "127.0.0.1" });
    expect(reason("::ffff:a9fe:a9fe")).toMatchObject({ embedded: "169.254.169.254" });
    expect(reason("::ffff:0:10.0.0.1")).toMatchObject({ embedded: "10.0.0.1", range: "10.0.0.0/8" });
    expect(reason("64:ff9b::192.168.0.1")).toMatchObject({ embedded: "192.168.0.1", range: "192.168.0.0/16" });
    expect(reason("64:ff9b::7f00:1")).toMatchObject({ embedded: "127.0.0.1" });
    expect(reason("2002:7f00:1::")).toMatchObject({ embedded: "127.0.0.1" });
    expect(reason("2002:a00:1:1234::1")).toMatchObject({ embedded: "10.0.0.1" });
    expect(embeddedIPv4(parseIp("2002:c0a8:101::")!)).toEqual(Uint8Array.from([192, 168, 1, 1]));
    expect(embeddedIPv4(parseIp("2606:4700::1")!)).toBeUndefined();
    expect(embeddedIPv4(parseIp("10.0.0.1")!)).toBeUndefined();
  });

  it("describes a reason in words, with the embedded address", () => {
    expect(describeReason(reason("127.0.0.1")!)).toBe("a loopback address in 127.0.0.0/8");
    expect(describeReason(reason("::ffff:127.0.0.1")!)).toBe("an IPv6 form of 127.0.0.1, which is a loopback address in 127.0.0.0/8");
  });
});
