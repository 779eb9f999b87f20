import { describe, expect, it } from "vitest";
import { formatIp, inNetwork, parseIp, parseNetwork } from "./ip-address.js";

const bytes = (text: string) => Array.from(parseIp(text) ?? []);

describe("parseIp", () => {
  it("reads dotted IPv4", () => {
    expect(bytes("127.0.0.1")).toEqual([127, 0, 0, 1]);
    expect(bytes("255.255.255.255")).toEqual([255, 255, 255, 255]);
  });

  it("reads IPv6 with and without ::, brackets, zones and a dotted IPv4 tail", () => {
    expect(bytes("::1")).toEqual([...Array(15).fill(0), 1]);
    expect(bytes("[::1]")).toEqual([...Array(15).fill(0), 1]);
    expect(bytes("::")).toEqual(Array(16).fill(0));
    expect(bytes("fe80::1%eth0")).toEqual([0xfe, 0x80, ...Array(13).fill(0), 1]);
    expect(bytes("2001:db8:0:0:0:0:0:ff")).toEqual([0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 0xff]);
    expect(bytes("1::")).toEqual([0, 1, ...Array(14).fill(0)]);
    expect(bytes("::ffff:127.0.0.1")).toEqual([...Array(10).fill(0), 0xff, 0xff, 127, 0, 0, 1]);
    expect(bytes("::127.0.0.1")).toEqual([...Array(12).fill(0), 127, 0, 0, 1]);
    expect(bytes("64:ff9b::10.0.0.1")).toEqual([0, 0x64, 0xff, 0x9b, ...Array(8).fill(0), 10, 0, 0, 1]);
    expect(bytes("1:2:3:4:5:6:7.8.9.10")).toEqual([0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 7, 8, 9, 10]);
  });

  it("refuses what is not an address in standard form", () => {
    for (const text of ["", "localhost", "1.2.3", "256.0.0.1", "0x7f.0.0.1", "2130706433", "::g", "1:2:3:4:5:6:7:8:9", "[::1", "127.0.0.1:80"]) {
      expect(parseIp(text), text).toBeUndefined();
    }
  });
});

describe("formatIp", () => {
  it("prints IPv4 dotted and IPv6 compressed at the longest zero run", () => {
    expect(formatIp(parseIp("10.1.2.3")!)).toBe("10.1.2.3");
    expect(formatIp(parseIp("0:0:0:0:0:0:0:1")!)).toBe("::1");
    expect(formatIp(parseIp("::ffff:127.0.0.1")!)).toBe("::ffff:7f00:1");
    expect(formatIp(parseIp("1:0:0:2:0:0:0:3")!)).toBe("1:0:0:2::3");
    expect(formatIp(parseIp("1:0:2:3:4:5:6:7")!)).toBe("1:0:2:3:4:5:6:7");
  });
});

describe("networks", () => {
  it("parses CIDR text and single addresses", () => {
    expect(parseNetwork("10.0.0.0/8")).toMatchObject({ prefix: 8 });
    expect(parseNetwork("10.1.2.3")).toMatchObject({ prefix: 32 });
    expect(parseNetwork("fd00::/8")).toMatchObject({ prefix: 8 });
    expect(parseNetwork("::1")).toMatchObject({ prefix: 128 });
    for (const bad of ["10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/x", "10.0.0.0/-1", "nope/8"]) expect(parseNetwork(bad), bad).toBeUndefined();
  });

  it("matches on whole and partial bytes, never across families", () => {
    const net = (cidr: string) => parseNetwork(cidr)!;
    expect(inNetwork(parseIp("172.31.255.255")!, net("172.16.0.0/12"))).toBe(true);
    expect(inNetwork(parseIp("172.32.0.0")!, net("172.16.0.0/12"))).toBe(false);
    expect(inNetwork(parseIp("100.127.0.1")!, net("100.64.0.0/10"))).toBe(true);
    expect(inNetwork(parseIp("100.128.0.1")!, net("100.64.0.0/10"))).toBe(false);
    expect(inNetwork(parseIp("1.2.3.4")!, net("0.0.0.0/0"))).toBe(true);
    expect(inNetwork(parseIp("fdff::1")!, net("fc00::/7"))).toBe(true);
    expect(inNetwork(parseIp("fe00::1")!, net("fc00::/7"))).toBe(false);
    expect(inNetwork(parseIp("::ffff:10.0.0.1")!, net("10.0.0.0/8"))).toBe(false); // families differ: the caller unwraps
  });
});
