import type { PluginContext } from "@aleph/plugin-sdk";
import type { EventHub } from "../events/event-hub.js";
import type { MethodTable } from "../rpc/dispatch.js";
import type { TurnRegistry } from "../turns/turn-registry.js";
import { chatMethods } from "./chat.js";
import { conversationMethods } from "./conversations.js";
import { eventMethods } from "./events.js";
import { identityMethods } from "./identity.js";
import { kernelMethods } from "./kernel.js";
import { memoryMethods } from "./memory.js";

/** The JSON-RPC methods of docs/gateway.md, by name. */
export function createMethods(deps: { ctx: PluginContext<unknown>; turns: TurnRegistry; hub: EventHub; connections: () => number }): MethodTable {
  return {
    ...kernelMethods({ ctx: deps.ctx, connections: deps.connections }),
    ...conversationMethods(deps.ctx),
    ...memoryMethods(deps.ctx),
    ...identityMethods(deps.ctx),
    ...chatMethods(deps.ctx, deps.turns),
    ...eventMethods(deps.hub),
  };
}
