/*
 * `/` commands in a chat: /help (with the user-invocable skills of the real skills plugin), a
 * skill run as /<name> (the agent gets the text as it is, the skill's instructions attached), an
 * unknown command, /model, /new, /stop, /start, and commands addressed to another bot in a group.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { sessionsRef } from "@aleph/plugin-sdk";
import { askedTexts, cleanup, setup, until } from "./kernel.js";

afterEach(cleanup);

function rootWithSkill(): string {
  const root = mkdtempSync(join(tmpdir(), "aleph-channels-skills-"));
  const dir = join(root, "skills", "summarize");
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, "SKILL.md"),
    ["---", "name: summarize", "description: Summarize a text in three bullet points. Use when asked for a summary.", "user-invocable: true", "---", "", "SUMMARIZE-INSTRUCTIONS: three bullets, no more.", ""].join("\n"),
  );
  return root;
}

const allowed = { allow_from: ["42"] };
const requestText = (body: Record<string, unknown>) => JSON.stringify(body.messages);

describe("/help and skills", () => {
  it("/help lists the commands and the skills a user can run; /<skill> goes to the agent as written, with the skill attached", async () => {
    const { kernel, model, platform } = await setup({ root: rootWithSkill(), skills: true, routing: allowed, turns: [{ text: "• one • two • three" }] });
    await platform.say({ text: "/help", messageId: "h-1" });
    const help = platform.sent[0]!.text;
    for (const command of ["/new", "/stop", "/model", "/help"]) expect(help).toContain(command);
    expect(help).toMatch(/\/summarize — Summarize a text in three bullet points/);
    expect(model.requests).toEqual([]);

    await platform.say({ text: "/summarize the quarterly report", messageId: "s-1" });
    expect(platform.sent[1]!.text).toBe("• one • two • three");
    expect(askedTexts(model)[0]).toContain("/summarize the quarterly report");
    expect(requestText(model.requests[0]!.body)).toContain("SUMMARIZE-INSTRUCTIONS");
    const history = await kernel.service(sessionsRef)!.history("agent:main:fake:dm:42");
    expect(history[0]!.content).toBe("/summarize the quarterly report");
  });

  it("an unknown /command is answered with the list, without the agent; a path is not a command", async () => {
    const { model, platform } = await setup({ routing: allowed, turns: [{ text: "That file is fine." }] });
    await platform.say({ text: "/frobnicate now" });
    expect(platform.sent[0]!.text).toMatch(/^I don't know \/frobnicate\.\n\nCommands:\n\/new/);
    expect(model.requests).toEqual([]);
    await platform.say({ text: "/etc/hosts looks wrong" });
    expect(askedTexts(model)).toEqual([expect.stringContaining("/etc/hosts looks wrong")]);
    expect(platform.sent[1]!.text).toBe("That file is fine.");
  });

  it("/start (Telegram's first message) is greeted", async () => {
    const { model, platform } = await setup({ routing: allowed });
    await platform.say({ text: "/start" });
    expect(platform.sent[0]!.text).toMatch(/^Hello! Write to me/);
    expect(model.requests).toEqual([]);
  });
});

describe("/model", () => {
  it("shows, sets (for this conversation only) and resets the model", async () => {
    const { model, platform } = await setup({ routing: { allow_from: ["42", "43"] }, turns: [{ text: "a" }, { text: "b" }, { text: "c" }] });
    await platform.say({ text: "/model" });
    expect(platform.sent.at(-1)!.text).toBe("This conversation uses the agent's default model.");
    await platform.say({ text: "/model big-model-2" });
    expect(platform.sent.at(-1)!.text).toBe("Model for this conversation: big-model-2");
    await platform.say({ text: "/model" });
    expect(platform.sent.at(-1)!.text).toBe("Model for this conversation: big-model-2");
    await platform.say({ text: "question" });
    expect(model.requests[0]!.body.model).toBe("big-model-2");
    // Another conversation keeps the default.
    await platform.say({ peer: { id: "43" }, text: "question" });
    expect(model.requests[1]!.body.model).toBe("fake-model");
    await platform.say({ text: "/model default" });
    await platform.say({ text: "again" });
    expect(model.requests[2]!.body.model).toBe("fake-model");
  });
});

describe("/new", () => {
  it("archives the session: the next turn starts with no history", async () => {
    const { kernel, model, platform } = await setup({ routing: allowed, turns: [{ text: "Noted: blue." }, { text: "I don't know." }] });
    await platform.say({ text: "my favourite colour is blue" });
    await platform.say({ text: "/new" });
    expect(platform.sent.at(-1)!.text).toMatch(/^Fresh session/);
    const archived = await kernel.service(sessionsRef)!.list({ archived: true });
    expect(archived.map((s) => s.key)).toEqual(["agent:main:fake:dm:42"]);
    await platform.say({ text: "what is my favourite colour?" });
    expect(requestText(model.requests[1]!.body)).not.toContain("blue");
    // /new on a conversation that has no session yet is fine too.
    await platform.say({ peer: { id: "42" }, chatId: "dm-42", text: "/new" });
    expect(platform.sent.at(-1)!.text).toMatch(/^Fresh session/);
  });
});

describe("/stop", () => {
  it("stops the running turn of the conversation: no reply to it, and deliver resolves", async () => {
    const { model, platform } = await setup({ routing: allowed, turns: [{ text: "a very slow answer", firstTokenDelayMs: 20_000 }] });
    await platform.say({ text: "/stop" });
    expect(platform.sent.at(-1)!.text).toBe("Nothing is running.");

    let settled = false;
    const slow = platform.say({ text: "write me an essay", messageId: "slow-1" }).then(() => (settled = true));
    await until(() => model.requests.length === 1, "the model call");
    expect(settled).toBe(false);
    await platform.say({ text: "/stop", messageId: "stop-1" });
    expect(platform.sent.at(-1)!.text).toBe("Stopped.");
    await slow;
    expect(platform.sent.map((s) => s.text)).toEqual(["Nothing is running.", "Stopped."]);
    // Answered (by the stop): a redelivery does not run it again.
    await platform.say({ text: "write me an essay", messageId: "slow-1" });
    expect(model.requests).toHaveLength(1);
  });
});

describe("commands in groups", () => {
  it("/cmd@us and a bare /cmd are ours (answered as a reply), /cmd@other_bot is not", async () => {
    const { platform } = await setup({ routing: { allow_groups: ["-7"] } });
    const group = { kind: "group" as const, chatId: "-7" };
    await platform.say({ ...group, text: "/help@other_bot", messageId: "g-1" });
    expect(platform.sent).toEqual([]);
    await platform.say({ ...group, text: "/help@Aleph_Bot", messageId: "g-2" });
    expect(platform.sent.map((s) => [s.replyTo, s.text.split("\n")[0]])).toEqual([["g-2", "Commands:"]]);
    await platform.say({ ...group, text: "/model", messageId: "g-3" });
    expect(platform.sent.at(-1)).toMatchObject({ replyTo: "g-3", text: "This conversation uses the agent's default model." });
  });
});
