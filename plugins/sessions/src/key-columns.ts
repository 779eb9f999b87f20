import type { SessionKey } from "@aleph/plugin-sdk";

/** The session_metadata columns a key implies: its agent, and its channel (null for a sub-agent). */
export function keyColumns(key: SessionKey): { agentId: string; channel: string | null } {
  switch (key.kind) {
    case "main":
      return { agentId: key.agentId, channel: "main" };
    case "cron":
      return { agentId: key.agentId, channel: "cron" };
    case "dm":
    case "group":
      return { agentId: key.agentId, channel: key.channel };
    case "subagent":
      return { agentId: key.agentId, channel: null };
  }
}
