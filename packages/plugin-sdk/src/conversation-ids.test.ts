import { describe, expect, it } from "vitest";
import { AlephError } from "./errors.js";
import { channelChatId, channelSessionKey, chatIdForSessionKey, chatSenderId, checkChannelName, encodeChatIdPart } from "./conversation-ids.js";
import { parseSessionKey } from "./session-key.js";
import { explainInvalidId } from "./ids.js";

function errorOf(run: () => unknown): AlephError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AlephError);
    expect((error as AlephError).fix).toBeTruthy();
    return error as AlephError;
  }
  throw new Error("expected an AlephError");
}

/** Decodes an encoded part (the inverse the encoding promises, written here from its rule). */
function decodePart(encoded: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < encoded.length; i++) {
    if (encoded[i] === "_") {
      bytes.push(Number.parseInt(encoded.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(encoded.charCodeAt(i));
  }
  return Buffer.from(bytes).toString("utf8");
}

describe("encodeChatIdPart", () => {
  it("keeps letters and digits and writes every other character as _ and its UTF-8 bytes", () => {
    expect(encodeChatIdPart("Alice42")).toBe("Alice42");
    expect(encodeChatIdPart("-100123")).toBe("_2d100123");
    expect(encodeChatIdPart("a.b")).toBe("a_2eb");
    expect(encodeChatIdPart("../etc/passwd")).toBe("_2e_2e_2fetc_2fpasswd");
    expect(encodeChatIdPart("a_b")).toBe("a_5fb");
    expect(encodeChatIdPart("é")).toBe("_c3_a9");
    expect(encodeChatIdPart("🙂")).toBe("_f0_9f_99_82");
  });

  it("is one-to-one: distinct parts never encode alike, and each decodes back", () => {
    const parts = ["a-b", "a_2db", "a_b", "a b", "a:b", "a%3Ab", "A-B", "a--b", "_2d", "-", "", "x.y", "x_2ey", "ü", "u\u0308"];
    const encoded = parts.map(encodeChatIdPart);
    expect(new Set(encoded).size).toBe(parts.length);
    for (let i = 0; i < parts.length; i++) expect(decodePart(encoded[i]!)).toBe(parts[i]);
    for (const e of encoded) expect(e).toMatch(/^[A-Za-z0-9_]*$/);
  });
});

describe("checkChannelName", () => {
  it("accepts lowercase interface names", () => {
    for (const name of ["telegram", "discord", "tg-work", "my_bot2", "9chat"]) expect(checkChannelName(name)).toBe(name);
  });

  it("refuses reserved, empty, upper-case, over-long, punctuated names and ones a chat id cannot start with", () => {
    for (const name of ["main", "cron", "", "Telegram", "a".repeat(65), "tg.work", "tg:x", "_tg", "-tg", "tg/x", "tg x"]) {
      const error = errorOf(() => checkChannelName(name));
      expect(error.code).toBe("ALEPH_E_CONFIG");
      expect(error.message).toContain(JSON.stringify(name));
      expect(error.fix).toMatch(/lowercase letters, digits/);
    }
    expect(errorOf(() => checkChannelName(undefined as unknown as string)).code).toBe("ALEPH_E_CONFIG");
  });
});

describe("channelSessionKey and channelChatId", () => {
  it("map a DM to agent:<agent>:<channel>:dm:<peer> and <channel>-dm-<peer>", () => {
    expect(channelSessionKey("main", "telegram", "dm", "12345")).toBe("agent:main:telegram:dm:12345");
    expect(channelChatId("telegram", "dm", "12345")).toBe("telegram-dm-12345");
  });

  it("map a group to …:group:<id> and <channel>-group-<id>, encoding what the chat id rules refuse", () => {
    expect(channelSessionKey("ops", "telegram", "group", "-100987")).toBe("agent:ops:telegram:group:-100987");
    expect(channelChatId("telegram", "group", "-100987")).toBe("telegram-group-_2d100987");
    // Session keys percent-encode ":" and spaces; the chat id its own way.
    expect(channelSessionKey("main", "irc", "group", "#room: one")).toBe("agent:main:irc:group:#room%3A%20one");
    expect(channelChatId("irc", "group", "#room: one")).toBe("irc-group-_23room_3a_20one");
  });

  it("never lets a channel name and a peer id run together into another conversation's chat", () => {
    // Channel "tg" peer "dm-5" against channel "tg-dm" ... they differ once "-" is encoded.
    expect(channelChatId("tg", "group", "dm-5")).not.toBe(channelChatId("tg-group", "dm", "5"));
    expect(channelChatId("tg", "dm", "group-5")).not.toBe(channelChatId("tg-dm", "group", "5"));
    expect(chatIdForSessionKey("agent:a-dm-x:main")).not.toBe(channelChatId("main-a", "dm", "x"));
  });

  it("keeps every chat id valid (≤ 128, a safe id) and unique, hashing the tail of a long one", () => {
    const long = "9".repeat(300);
    const a = channelChatId("discord", "dm", long);
    const b = channelChatId("discord", "dm", `${long}8`);
    const c = channelChatId("discord", "dm", `8${long.slice(1)}`);
    for (const id of [a, b, c]) {
      expect(id.length).toBeLessThanOrEqual(128);
      expect(explainInvalidId("chat id", id)).toBeUndefined();
      expect(id.startsWith("discord-dm-")).toBe(true);
    }
    expect(new Set([a, b, c]).size).toBe(3);
    // A long id with characters that grow threefold when encoded.
    const wide = channelChatId("telegram", "group", "é".repeat(100));
    expect(wide.length).toBeLessThanOrEqual(128);
    expect(explainInvalidId("chat id", wide)).toBeUndefined();
    // Ids that fit are left whole.
    const fits = `${"7".repeat(100)}`;
    expect(channelChatId("x", "dm", fits)).toBe(`x-dm-${fits}`);
  });

  it("refuses a bad channel, an unknown kind and an empty id with an error that says how to fix it", () => {
    expect(errorOf(() => channelSessionKey("main", "main", "dm", "1")).code).toBe("ALEPH_E_CONFIG");
    expect(errorOf(() => channelChatId("cron", "dm", "1")).code).toBe("ALEPH_E_CONFIG");
    expect(errorOf(() => channelChatId("tg", "channel" as "dm", "1")).message).toMatch(/kind "channel" is unknown/);
    expect(errorOf(() => channelSessionKey("main", "tg", "room" as "dm", "1")).code).toBe("ALEPH_E_INVALID_ID");
    expect(errorOf(() => channelChatId("tg", "dm", "")).code).toBe("ALEPH_E_INVALID_ID");
    expect(errorOf(() => channelSessionKey("main", "tg", "dm", "")).code).toBe("ALEPH_E_SESSION_KEY");
    expect(errorOf(() => channelSessionKey("bad agent", "tg", "dm", "1")).code).toBe("ALEPH_E_SESSION_KEY");
    expect(errorOf(() => channelSessionKey("main", "tg", "dm", "x".repeat(600))).message).toMatch(/limit is 512/);
  });
});

describe("chatIdForSessionKey", () => {
  it("round-trips: the chat of a channel session key is the channel's chat id, whatever the id holds", () => {
    const ids = ["12345", "-100987", "a:b", "50%", "a b\tc", "é🙂", "dm", "group", "x".repeat(200)];
    for (const kind of ["dm", "group"] as const) {
      for (const id of ids) {
        const key = channelSessionKey("main", "telegram", kind, id);
        const parsed = parseSessionKey(key);
        expect(parsed).toEqual(kind === "dm" ? { kind, agentId: "main", channel: "telegram", peer: id } : { kind, agentId: "main", channel: "telegram", groupId: id });
        expect(chatIdForSessionKey(key)).toBe(channelChatId("telegram", kind, id));
      }
    }
  });

  it("gives main-<agent> and cron-<job> chats, and none to a sub-agent", () => {
    expect(chatIdForSessionKey("agent:main:main")).toBe("main-main");
    expect(chatIdForSessionKey("agent:my-agent:main")).toBe("main-my_2dagent");
    expect(chatIdForSessionKey("agent:main:cron:daily-digest")).toBe("cron-daily_2ddigest");
    expect(chatIdForSessionKey("subagent:agent:main:translator")).toBeUndefined();
  });

  it("refuses a malformed key", () => {
    expect(errorOf(() => chatIdForSessionKey("agent:main")).code).toBe("ALEPH_E_SESSION_KEY");
    expect(errorOf(() => chatIdForSessionKey("nonsense")).code).toBe("ALEPH_E_SESSION_KEY");
  });
});

describe("chatSenderId", () => {
  it("writes kind:id senders as safe chat sender ids, one-to-one", () => {
    expect(chatSenderId("user:42")).toBe("user.42");
    expect(chatSenderId("agent:main")).toBe("agent.main");
    expect(chatSenderId("gateway")).toBe("gateway");
    expect(chatSenderId("cron:daily-digest")).toBe("cron.daily_2ddigest");
    expect(chatSenderId("user:@alice:matrix.org")).toBe("user._40alice.matrix_2eorg");
    const odd = ["user::x", ":x", "user:", "user:a.b", "user:a:b", "user.a:b", "-x", "user:" + "9".repeat(300)];
    const ids = odd.map(chatSenderId);
    for (const id of ids) expect(explainInvalidId("sender id", id)).toBeUndefined();
    expect(new Set(ids).size).toBe(odd.length);
  });
});
