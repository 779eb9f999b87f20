import { createInterface } from "node:readline";
import { agentRef, sessionsRef, type AgentTurnEvent, type AgentTurnInput, type CommandInput } from "@aleph/plugin-sdk";

/*
 * `aleph talk`: one turn (-m, or stdin when it is piped), or a conversation on a terminal. The
 * reply is printed as it streams; tool calls are shown on stderr, so stdout is the answer alone.
 */

export async function talkCommand(cmd: CommandInput): Promise<number> {
  const base: Omit<AgentTurnInput, "text"> = {
    ...(typeof cmd.options.agent === "string" ? { agentId: cmd.options.agent } : {}),
    ...(typeof cmd.options.session === "string" ? { sessionKey: cmd.options.session } : {}),
    ...(typeof cmd.options.provider === "string" ? { provider: cmd.options.provider } : {}),
    ...(typeof cmd.options.model === "string" ? { model: cmd.options.model } : {}),
  };
  if (typeof cmd.options.message === "string") return oneTurn(cmd, { ...base, text: cmd.options.message });
  if (!(cmd.stdin as NodeJS.ReadStream).isTTY) return oneTurn(cmd, { ...base, text: await readAll(cmd.stdin) });
  return conversation(cmd, base);
}

async function oneTurn(cmd: CommandInput, input: AgentTurnInput): Promise<number> {
  const events = cmd.kernel.stream(agentRef.id, "turn", [input], { signal: cmd.signal }) as AsyncIterable<AgentTurnEvent>;
  let failed = false;
  let endedWithNewline = true;
  for await (const event of events) {
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

/** A line-by-line conversation on a terminal. */
async function conversation(cmd: CommandInput, base: Omit<AgentTurnInput, "text">): Promise<number> {
  const agentId = base.agentId ?? "main";
  const sessionKey = base.sessionKey ?? `agent:${agentId}:main`;
  cmd.err(`Talking to ${agentId} in ${sessionKey}. /new starts a fresh session, /exit (or Ctrl-D) leaves.\n`);
  const rl = createInterface({ input: cmd.stdin, output: process.stderr, prompt: "you> " });
  rl.prompt();
  for await (const line of rl) {
    const text = line.trim();
    if (text === "/exit" || text === "/quit") break;
    if (text === "/new") {
      await cmd.kernel.service(sessionsRef).archive(sessionKey).catch(() => undefined);
      cmd.err("(a fresh session)\n");
    } else if (text.startsWith("/")) {
      cmd.err("commands: /new, /exit\n");
    } else if (text) {
      await oneTurn(cmd, { ...base, sessionKey, text });
    }
    rl.prompt();
  }
  rl.close();
  return 0;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString("utf8");
}
