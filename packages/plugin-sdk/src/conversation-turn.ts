import type { AgentService, AgentTurnEvent, AgentTurnInput } from "./agent.js";
import type { ChatService } from "./chat.js";
import { eventChannel } from "./event-channel.js";
import { chatSenderId } from "./conversation-ids.js";

/*
 * One turn of a conversation, kept in both of its records: the agent's session (by the agent
 * loop) and the chat source of truth — the inbound message posted before the turn, the reply after
 * it. Channels, the gateway and cron run their turns through here, so every conversation, however
 * it arrives, reads the same in chat/chats/<chatId>.jsonl.
 *
 * Idempotent with `id`: the chat posts carry keys derived from it (`in:<id>`, `out:<id>`) and the
 * agent loop answers a user message id once, so a redelivered message neither posts twice nor
 * calls the model twice (its stored answer comes back as the turn's text).
 *
 * Senders are recorded as chat sender ids (chatSenderId): `user:42` as `user.42`, the agent's
 * reply as `agent.<agentId>`. Nothing is posted for a failed or cancelled turn but the inbound.
 */

export interface ConversationTurnInput extends AgentTurnInput {
  /** The chat to record the exchange in (chatIdForSessionKey); none records nothing there. */
  chatId?: string;
  /** Who said the message (`user:<peer id>`, `gateway`, `cron:<job>`); the chat records it as a sender id (`user.<peer id>`). */
  from: string;
}

export interface ConversationServices {
  agent: AgentService;
  /** Absent when the chat plugin is not running: the turn still runs. */
  chat?: ChatService;
  /** Where a chat write that failed is reported (the turn goes on: the session holds it). */
  onChatError?: (error: unknown) => void;
}

export function conversationTurn(services: ConversationServices, input: ConversationTurnInput, options: { signal?: AbortSignal } = {}): AsyncIterable<AgentTurnEvent> {
  const { chatId, from, ...turn } = input;
  const chat = chatId ? services.chat : undefined;
  const report = (error: unknown) => services.onChatError?.(error);
  return eventChannel<AgentTurnEvent>(
    async (push, signal) => {
      if (chat) await chat.post(chatId!, { from: chatSenderId(from), content: turn.text, ...(turn.id ? { key: `in:${turn.id}` } : {}) }).catch(report);
      const agentId = turn.agentId ?? "main";
      const iterator = services.agent.turn(turn, { signal })[Symbol.asyncIterator]();
      try {
        for (;;) {
          const next = await iterator.next();
          if (next.done) break;
          const event = next.value;
          if (event.type === "turn.completed" && chat) {
            await chat.post(chatId!, { from: chatSenderId(`agent:${agentId}`), content: event.text, ...(turn.id ? { key: `out:${turn.id}` } : {}) }).catch(report);
          }
          push(event);
        }
      } finally {
        await iterator.return?.();
      }
    },
    options.signal ? { signal: options.signal } : {},
  );
}
