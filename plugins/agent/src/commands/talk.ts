import { createInterface } from "node:readline";
import { agentRef, sessionsRef, skillsRef, type AgentTurnEvent, type AgentTurnInput, type CommandInput } from "@aleph/plugin-sdk/core";
import { answerFromStdin, TalkApprovals } from "./talk-approvals.js";

/*
 * `aleph talk`: one turn (-m, or stdin when it is piped), or a conversation on a terminal. The
 * reply is printed as it streams; tool calls are shown on stderr, so stdout is the answer alone.
 * A tool asking for approval (shell) is asked on stderr and answered with the next line of stdin —
 * except when stdin was the message itself: then nobody can answer and the turn is told so.
 */

export async function talkCommand(cmd: CommandInput): Promise<number> {
  const base: Omit<AgentTurnInput, "text"> = {
    ...(typeof cmd.options.agent === "string" ? { agentId: cmd.options.agent } : {}),
    ...(typeof cmd.options.session === "string" ? { sessionKey: cmd.options.session } : {}),
    ...(typeof cmd.options.provider === "string" ? { provider: cmd.options.provider } : {}),
    ...(typeof cmd.options.model === "string" ? { model: cmd.options.model } : {}),
  };
  if (typeof cmd.options.message === "string") {
    const approvals = new TalkApprovals(cmd);
    const stdin = answerFromStdin(cmd.stdin, approvals);
    try {
      return await oneTurn(cmd, { ...base, text: cmd.options.message }, cmd.signal, approvals, () => stdin.start());
    } finally {
      stdin.close();
    }
  }
  if (!(cmd.stdin as NodeJS.ReadStream).isTTY) return oneTurn(cmd, { ...base, text: await readAll(cmd.stdin) });
  return conversation(cmd, base);
}

/** One turn, printed as it streams. With `approvals`, the turn is interactive: its approval requests are asked. */
async function oneTurn(cmd: CommandInput, input: AgentTurnInput, signal: AbortSignal = cmd.signal, approvals?: TalkApprovals, beforeAsking?: () => void): Promise<number> {
  const events = cmd.kernel.stream(agentRef.id, "turn", [{ ...input, ...(approvals ? { interactive: true } : {}) }], { signal }) as AsyncIterable<AgentTurnEvent>;
  let failed = false;
  let endedWithNewline = true;
  for await (const event of events) {
    // Asked without holding up the stream: the request may end (timeout, another terminal) before a line comes.
    if (event.type === "approval.requested" && approvals) {
      beforeAsking?.();
      approvals.ask(event.approval);
    }
    if (event.type === "approval.resolved") approvals?.resolved(event);
    if (cmd.options.json === true) {
      cmd.out(`${JSON.stringify(event)}\n`);
      if (event.type === "turn.failed") failed = true;
      continue;
    }
    switch (event.type) {
      case "text":
        cmd.out(event.text);
        endedWithNewline = event.text.endsWith("\n");
        break;
      case "tool.call":
        cmd.err(`[tool ${event.name} ${JSON.stringify(event.arguments)}]\n`);
        break;
      case "tool.result":
        if (!event.ok) cmd.err(`[tool ${event.name} failed: ${event.content.slice(0, 300)}]\n`);
        break;
      case "failover":
        cmd.err(`[${event.from} failed (${event.reason}); trying ${event.to}]\n`);
        break;
      case "turn.completed":
        if (!endedWithNewline) cmd.out("\n");
        break;
      case "turn.failed":
        failed = true;
        if (!endedWithNewline) cmd.out("\n");
        cmd.err(`aleph: ${event.code}: ${event.message}${event.fix ? `\n  fix: ${event.fix}` : ""}\n`);
        break;
    }
  }
  return failed ? 1 : 0;
}

/**
 * A conversation on a terminal. Without a running kernel this process becomes the root's kernel
 * for as long as it lasts (cmd.foreground), so other commands reach it meanwhile. Ctrl-C or /stop
 * cancels the running turn; Ctrl-C at the prompt twice, /exit or Ctrl-D leaves.
 */
async function conversation(cmd: CommandInput, base: Omit<AgentTurnInput, "text">): Promise<number> {
  await cmd.foreground();
  let agentId = base.agentId ?? "main";
  let sessionKey = base.sessionKey ?? `agent:${agentId}:main`;
  let model = base.model;
  let running: AbortController | undefined;
  let armedExit = false;
  const rl = createInterface({ input: cmd.stdin, output: process.stderr, prompt: "you> ", terminal: true });
  // While a turn runs, a line typed answers its open approval question (if there is one).
  const approvals = new TalkApprovals(cmd);
  rl.once("close", () => approvals.inputEnded());
  const interrupt = () => {
    if (running) {
      running.abort();
      cmd.err("\n(turn cancelled)\n");
      return;
    }
    if (armedExit) return rl.close();
    armedExit = true;
    cmd.err("\n(Ctrl-C again, /exit or Ctrl-D to leave)\n");
    rl.prompt();
  };
  rl.on("SIGINT", interrupt);
  const taken = cmd.interrupts(interrupt);
  cmd.err(`Talking to ${agentId} in ${sessionKey}${cmd.kernel.mode === "remote" ? " (through the running kernel)" : ""}. /new, /agent <id>, /model <name>, /stop, /exit.\n`);
  rl.prompt();
  let done = false;
  const closed = new Promise<void>((resolve) =>
    rl.once("close", () => {
      done = true;
      resolve();
    }),
  );
  rl.on("line", (line) => {
    armedExit = false;
    const text = line.trim();
    if (running && text !== "/stop" && approvals.offer(text)) return;
    if (running) {
      if (text === "/stop") interrupt();
      else if (text) cmd.err("(still answering: wait, or /stop)\n");
      return;
    }
    void handleLine(text).finally(() => {
      if (!done) rl.prompt();
    });
  });

  async function handleLine(text: string): Promise<void> {
    const [word, ...rest] = text.split(/\s+/);
    const argument = rest.join(" ");
    switch (word) {
      case "":
        return;
      case "/exit":
      case "/quit":
        rl.close();
        return;
      case "/new":
        await cmd.kernel.service(sessionsRef).archive(sessionKey).catch(() => undefined);
        cmd.err(`(a fresh session: ${sessionKey})\n`);
        return;
      case "/agent":
        if (!argument) cmd.err(`(agent: ${agentId})\n`);
        else {
          agentId = argument;
          sessionKey = base.sessionKey ?? `agent:${agentId}:main`;
          cmd.err(`(talking to ${agentId} in ${sessionKey})\n`);
        }
        return;
      case "/model":
        if (argument) model = argument;
        cmd.err(`(model: ${model ?? "the provider's own"})\n`);
        return;
      case "/stop":
        cmd.err("(nothing is running)\n");
        return;
    }
    // A skill a user may run (user-invocable) goes to the agent as it is: the skills plugin gives
    // that turn the skill's instructions. Anything else starting with / is a mistyped command.
    if (word!.startsWith("/")) {
      const skills = await invocableSkills(cmd, agentId);
      if (!skills.includes(word!.slice(1))) {
        cmd.err(`commands: /new, /agent <id>, /model <name>, /stop, /exit${skills.length ? `; skills: ${skills.map((s) => `/${s}`).join(" ")}` : ""}\n`);
        return;
      }
    }
    running = new AbortController();
    try {
      await oneTurn(cmd, { ...base, agentId, sessionKey, ...(model ? { model } : {}), text }, running.signal, approvals);
    } finally {
      running = undefined;
    }
  }

  await closed;
  taken.dispose();
  // readline leaves the terminal's stream flowing; paused, it no longer keeps the process alive.
  cmd.stdin.pause();
  return 0;
}

/** The skills a user can run as /<name> with this agent (none when the skills plugin is not running). */
async function invocableSkills(cmd: CommandInput, agentId: string): Promise<string[]> {
  try {
    const list = await cmd.kernel.service(skillsRef).list(agentId);
    return list.filter((s) => s.userInvocable && s.status === "available").map((s) => s.name);
  } catch {
    return [];
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString("utf8");
}
