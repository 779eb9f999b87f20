import { describe, expect, it } from "vitest";
import { AlephError } from "./errors.js";
import {
  escapeSessionKeyPart,
  formatSessionKey,
  parseSessionKey,
  sessionKeyLikePattern,
  sessionKeyPrefix,
  sessionKeyRange,
  subagentPrefix,
  tryParseSessionKey,
  unescapeSessionKeyPart,
  SESSION_KEY_MAX_LENGTH,
  type SessionKey,
} from "./session-key.js";

function errorOf(run: () => unknown): AlephError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AlephError);
    const e = error as AlephError;
    expect(e.code).toBe("ALEPH_E_SESSION_KEY");
    expect(e.fix).toBeTruthy();
    return e;
  }
  throw new Error("expected an AlephError");
}

/** Small deterministic PRNG (mulberry32) so failures reproduce. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = [":", "%", "%3A", "%25", "%%", "::", " ", "\t", "\n", "\0", "\u007f", "a", "Z", "0", "main", "dm", "group", "cron", "é", "日本", "😀", "\u00a0", "\u2028", "/", "..", "\\", "_", "-", "agent", "subagent"];

function randomText(next: () => number): string {
  const length = 1 + Math.floor(next() * 8);
  let out = "";
  for (let i = 0; i < length; i++) {
    if (next() < 0.3) {
      // any well-formed code point, skipping surrogates
      let cp = Math.floor(next() * 0x10ffff);
      if (cp >= 0xd800 && cp <= 0xdfff) cp = 0x41;
      out += String.fromCodePoint(cp);
    } else {
      out += ALPHABET[Math.floor(next() * ALPHABET.length)];
    }
  }
  return out;
}

function randomKey(next: () => number): SessionKey {
  const agentId = ["main", "main2", "a.b_c", "X1", "agent-7"][Math.floor(next() * 5)] as string;
  const channel = ["telegram", "discord", "dm", "group", "a_b-1", "x"][Math.floor(next() * 6)] as string;
  switch (Math.floor(next() * 5)) {
    case 0:
      return { kind: "main", agentId };
    case 1:
      return { kind: "dm", agentId, channel, peer: randomText(next) };
    case 2:
      return { kind: "group", agentId, channel, groupId: randomText(next) };
    case 3:
      return { kind: "cron", agentId, job: randomText(next) };
    default:
      return { kind: "subagent", agentId, name: randomText(next) };
  }
}

describe("session key format", () => {
  it("writes and reads the documented forms", () => {
    const cases: [SessionKey, string][] = [
      [{ kind: "main", agentId: "main" }, "agent:main:main"],
      [{ kind: "dm", agentId: "main", channel: "telegram", peer: "user123" }, "agent:main:telegram:dm:user123"],
      [{ kind: "group", agentId: "main", channel: "discord", groupId: "guild-id" }, "agent:main:discord:group:guild-id"],
      [{ kind: "cron", agentId: "main", job: "daily-summary" }, "agent:main:cron:daily-summary"],
      [{ kind: "subagent", agentId: "main", name: "translator" }, "subagent:agent:main:translator"],
    ];
    for (const [key, text] of cases) {
      expect(formatSessionKey(key)).toBe(text);
      expect(parseSessionKey(text)).toEqual(key);
    }
  });

  it("escapes reserved characters reversibly", () => {
    expect(escapeSessionKeyPart("a:b%c d\n")).toBe("a%3Ab%25c%20d%0A");
    expect(unescapeSessionKeyPart("a%3Ab%25c%20d%0A")).toBe("a:b%c d\n");
    expect(escapeSessionKeyPart("日本😀é")).toBe("日本😀é");
    const key: SessionKey = { kind: "dm", agentId: "main", channel: "matrix", peer: "@bob:example.org" };
    expect(formatSessionKey(key)).toBe("agent:main:matrix:dm:@bob%3Aexample.org");
    expect(parseSessionKey("agent:main:matrix:dm:@bob%3Aexample.org")).toEqual(key);
    expect(formatSessionKey({ kind: "cron", agentId: "main", job: "%3A" })).toBe("agent:main:cron:%253A");
    expect(parseSessionKey("agent:main:cron:%253A")).toEqual({ kind: "cron", agentId: "main", job: "%3A" });
    expect(parseSessionKey("agent:main:cron:%00")).toEqual({ kind: "cron", agentId: "main", job: "\0" });
  });

  it("round-trips random part strings (property)", () => {
    const next = rng(0xa1e9);
    for (let i = 0; i < 5000; i++) {
      const key = randomKey(next);
      const text = formatSessionKey(key);
      expect(text).not.toMatch(/[\u0000-\u0020\u007f]/);
      expect(parseSessionKey(text)).toEqual(key);
      expect(formatSessionKey(parseSessionKey(text))).toBe(text);
    }
  });

  it("is canonical: distinct keys format to distinct text", () => {
    const next = rng(7);
    const seen = new Map<string, string>();
    for (let i = 0; i < 3000; i++) {
      const key = randomKey(next);
      const text = formatSessionKey(key);
      const json = JSON.stringify(key);
      if (seen.has(text)) expect(seen.get(text)).toBe(json);
      seen.set(text, json);
    }
  });

  it("keeps part values main/dm/group/cron from changing the form", () => {
    const keys: SessionKey[] = [
      { kind: "cron", agentId: "main", job: "main" },
      { kind: "cron", agentId: "cron", job: "cron" },
      { kind: "dm", agentId: "main", channel: "dm", peer: "dm" },
      { kind: "dm", agentId: "main", channel: "group", peer: "group" },
      { kind: "group", agentId: "main", channel: "dm", groupId: "main" },
      { kind: "group", agentId: "group", channel: "group", groupId: "dm" },
      { kind: "subagent", agentId: "agent", name: "main" },
      { kind: "main", agentId: "cron" },
      { kind: "main", agentId: "subagent" },
      { kind: "dm", agentId: "main", channel: "telegram", peer: "x:dm:y" },
      { kind: "cron", agentId: "main", job: "telegram:dm:user" },
    ];
    for (const key of keys) expect(parseSessionKey(formatSessionKey(key))).toEqual(key);
    // A job that looks like a dm scope stays one escaped part.
    expect(formatSessionKey({ kind: "cron", agentId: "main", job: "telegram:dm:user" })).toBe("agent:main:cron:telegram%3Adm%3Auser");
  });

  it("reserves the channel names main and cron", () => {
    expect(errorOf(() => formatSessionKey({ kind: "dm", agentId: "main", channel: "cron", peer: "p" })).message).toMatch(/"cron" is reserved/);
    expect(errorOf(() => formatSessionKey({ kind: "group", agentId: "main", channel: "main", groupId: "g" })).message).toMatch(/"main" is reserved/);
    expect(errorOf(() => parseSessionKey("agent:main:cron:dm:p")).message).toMatch(/column 12: channel "cron" is reserved/);
    expect(errorOf(() => sessionKeyPrefix({ agentId: "main", channel: "cron" })).message).toMatch(/reserved/);
  });

  it("validates channels and agent ids when formatting", () => {
    expect(errorOf(() => formatSessionKey({ kind: "dm", agentId: "main", channel: "Telegram", peer: "p" })).message).toMatch(/does not match/);
    expect(errorOf(() => formatSessionKey({ kind: "dm", agentId: "main", channel: "", peer: "p" })).message).toMatch(/channel is empty/);
    expect(errorOf(() => formatSessionKey({ kind: "main", agentId: "../etc" })).message).toMatch(/agent id/);
    expect(errorOf(() => formatSessionKey({ kind: "main", agentId: "a:b" })).message).toMatch(/does not match/);
    expect(errorOf(() => formatSessionKey({ kind: "cron", agentId: "main", job: "" })).message).toMatch(/job is empty/);
    expect(errorOf(() => formatSessionKey({ kind: "subagent", agentId: "main", name: "\ud800" })).message).toMatch(/surrogate/);
    expect(errorOf(() => formatSessionKey({ kind: "nope", agentId: "main" } as unknown as SessionKey)).message).toMatch(/unknown/);
    expect(errorOf(() => formatSessionKey({ kind: "cron", agentId: "main", job: ":".repeat(200) })).message).toMatch(/limit is 512/);
  });
});

describe("session key errors", () => {
  const cases: [string, RegExp][] = [
    ["", /is empty/],
    ["user:main:main", /unknown prefix "user"/],
    ["Agent:main:main", /unknown prefix "Agent"/],
    ["agent", /1 part, an agent key has 3 to 5/],
    ["agent:main", /2 parts, an agent key has 3 to 5/],
    ["agent:main:telegram:dm:a:b", /6 parts, an agent key has at most 5 \(unexpected part at column 26\)/],
    ["agent:main:shared", /must end in "main", found "shared" at column 12/],
    ["agent:main:telegram:user", /must be a cron key/],
    ["agent:main:telegram:chat:x", /expected "dm" or "group" at column 21, found "chat"/],
    ["agent::main", /empty part 2 at column 7/],
    ["agent:main:cron:", /empty part 4 at column 17/],
    ["agent:main:cron:%G1", /bad escape "%G1" at column 17/],
    ["agent:main:cron:ab%3", /truncated escape "%3" at column 19/],
    ["agent:main:cron:%", /truncated escape "%" at column 17/],
    ["agent:main:cron:%3a", /lowercase escape "%3a".*column 17/],
    ["agent:main:cron:%41", /needs no escaping/],
    ["agent:main:cron:a\0b", /NUL byte at column 18/],
    ["agent:main:cron:a b", /raw space at column 18/],
    ["agent:main:cron:a\nb", /raw control character at column 18/],
    ["agent:a..b:main", /agent id "a\.\.b" contains "\.\."/],
    ["agent:.x:main", /agent id ".x" does not match/],
    ["agent:a%3Ab:main", /agent id .*does not match/],
    ["agent:main:Tele:dm:p", /channel "Tele" does not match/],
    ["subagent:main:translator", /expected "agent" at column 10/],
    ["subagent", /expected "agent"/],
    ["subagent:agent:main", /3 parts, a sub-agent key has 4/],
    ["subagent:agent:main:a:b", /5 parts, a sub-agent key has 4/],
    ["agent:main:cron:" + "x".repeat(SESSION_KEY_MAX_LENGTH), /limit is 512/],
  ];
  for (const [text, reason] of cases) {
    it(`refuses ${JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text)}`, () => {
      const error = errorOf(() => parseSessionKey(text));
      expect(error.message).toMatch(reason);
      expect(error.describe()).toContain("Fix:");
      expect(tryParseSessionKey(text)).toBeUndefined();
    });
  }

  it("accepts a key exactly at the length cap", () => {
    const text = "agent:main:cron:" + "x".repeat(SESSION_KEY_MAX_LENGTH - 16);
    expect(text.length).toBe(SESSION_KEY_MAX_LENGTH);
    expect(parseSessionKey(text).kind).toBe("cron");
  });
});

describe("session key prefixes", () => {
  const all = [
    "agent:main:main",
    "agent:main:telegram:dm:u1",
    "agent:main:telegram:group:g",
    "agent:main:telegram2:dm:u1",
    "agent:main:cron:daily",
    "agent:main2:main",
    "agent:main2:telegram:dm:u1",
    "agent:main.x:main",
    "agent:main-x:main",
    "agent:main_x:main",
    "subagent:agent:main:translator",
    "subagent:agent:main2:translator",
  ];

  it("builds prefixes that end in ':'", () => {
    expect(sessionKeyPrefix({ agentId: "main" })).toBe("agent:main:");
    expect(sessionKeyPrefix({ agentId: "main", channel: "telegram" })).toBe("agent:main:telegram:");
    expect(subagentPrefix("main")).toBe("subagent:agent:main:");
    expect(errorOf(() => sessionKeyPrefix({ agentId: "a/b" })).message).toMatch(/path separator/);
    expect(errorOf(() => subagentPrefix("")).message).toMatch(/empty/);
  });

  it("never matches another agent whose id starts the same (main vs main2)", () => {
    const p = sessionKeyPrefix({ agentId: "main" });
    expect(all.filter((k) => k.startsWith(p))).toEqual([
      "agent:main:main",
      "agent:main:telegram:dm:u1",
      "agent:main:telegram:group:g",
      "agent:main:telegram2:dm:u1",
      "agent:main:cron:daily",
    ]);
    expect(all.filter((k) => k.startsWith(sessionKeyPrefix({ agentId: "main", channel: "telegram" })))).toEqual([
      "agent:main:telegram:dm:u1",
      "agent:main:telegram:group:g",
    ]);
    expect(all.filter((k) => k.startsWith(subagentPrefix("main")))).toEqual(["subagent:agent:main:translator"]);
    // every key under a prefix parses back to that agent
    for (const k of all.filter((k) => k.startsWith(p))) expect(parseSessionKey(k).agentId).toBe("main");
  });

  it("gives a range query that selects exactly the prefix", () => {
    for (const prefix of [sessionKeyPrefix({ agentId: "main" }), sessionKeyPrefix({ agentId: "main", channel: "telegram" }), subagentPrefix("main")]) {
      const { start, end } = sessionKeyRange(prefix);
      const inRange = all.filter((k) => k >= start && k < end);
      expect(inRange).toEqual(all.filter((k) => k.startsWith(prefix)));
    }
    expect(errorOf(() => sessionKeyRange("agent:main")).message).toMatch(/does not end in ":"/);
  });

  it("escapes LIKE wildcards in agent ids and channels", () => {
    const pattern = sessionKeyLikePattern(sessionKeyPrefix({ agentId: "main_x", channel: "a_b" }));
    expect(pattern).toBe("agent:main\\_x:a\\_b:%");
    // emulate LIKE ... ESCAPE '\' (case-sensitive)
    const toRegex = (like: string) =>
      new RegExp(
        `^${like
          .replace(/\\([\\%_])|([%_])|([.*+?^${}()|[\]\\/])/g, (_m, esc: string, wild: string, meta: string) =>
            esc ? `\\${esc}` : wild ? (wild === "%" ? ".*" : ".") : `\\${meta}`,
          )}$`,
        "s",
      );
    const re = toRegex(sessionKeyLikePattern(sessionKeyPrefix({ agentId: "main_x" })));
    expect(all.filter((k) => re.test(k))).toEqual(["agent:main_x:main"]);
  });
});
