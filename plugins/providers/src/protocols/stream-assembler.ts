import type { ModelResponse, ModelStreamEvent, ModelThinking, ModelToolCall, ModelUsage, StopReason } from "@aleph/plugin-sdk";
import type { Endpoint } from "./protocol.js";

/*
 * The `done` event carries the whole answer, so every adapter keeps a running copy of what it has
 * streamed. The adapter says what happened in the protocol's terms; this keeps the copy and hands
 * back the normalised event to yield, so what was streamed and what `done` says cannot differ.
 */
export class StreamAssembler {
  #text = "";
  readonly #toolCalls = new Map<number, ModelToolCall>();
  readonly #thinking: ModelThinking[] = [];
  #openThinking: ModelThinking | undefined;
  #usage: ModelUsage | undefined;
  #stopReason: StopReason | undefined;

  constructor(private readonly endpoint: Endpoint) {}

  text(text: string): ModelStreamEvent {
    this.#text += text;
    return { type: "text", text };
  }

  /** Starts a new thinking block (Anthropic sends several, each with its own signature). */
  startThinking(): void {
    this.#openThinking = { text: "" };
    this.#thinking.push(this.#openThinking);
  }

  /** Thinking text, added to the open block (opening one for protocols that stream a single block). */
  thinking(text: string): ModelStreamEvent {
    if (!this.#openThinking) this.startThinking();
    this.#openThinking!.text += text;
    return { type: "thinking", text };
  }

  signThinking(signature: string): void {
    if (signature === "") return;
    if (!this.#openThinking) this.startThinking();
    this.#openThinking!.signature = (this.#openThinking!.signature ?? "") + signature;
  }

  /** An opaque redacted block: kept to send back, nothing to show. */
  redactedThinking(data: string): void {
    this.#openThinking = undefined;
    this.#thinking.push({ text: "", redacted: data });
  }

  /** Text or a tool call after thinking closes the thinking block, so later thinking starts a new one. */
  closeThinking(): void {
    this.#openThinking = undefined;
  }

  toolCall(index: number, call: ModelToolCall): ModelStreamEvent {
    this.#toolCalls.set(index, call);
    return { type: "tool_call_end", index, call };
  }

  /** Adds to the counts seen so far: Anthropic reports input tokens first and output tokens at the end. */
  usage(counts: Partial<ModelUsage>): void {
    if (Object.values(counts).every((value) => value === undefined)) return;
    const merged: ModelUsage = { inputTokens: 0, outputTokens: 0, ...this.#usage };
    for (const [key, value] of Object.entries(counts) as [keyof ModelUsage, number | undefined][]) {
      if (value !== undefined) merged[key] = value;
    }
    this.#usage = merged;
  }

  stop(reason: StopReason): void {
    this.#stopReason = reason;
  }

  /** The closing events: the usage, when the provider gave any, then `done`. */
  finish(): ModelStreamEvent[] {
    const events: ModelStreamEvent[] = [];
    if (this.#usage) events.push({ type: "usage", usage: this.#usage });
    events.push({ type: "done", response: this.response() });
    return events;
  }

  /** A turn that made tool calls is a tool turn, whatever the server called it (Ollama and some OpenAI copies say `stop`). */
  #stopReasonFor(madeToolCalls: boolean): StopReason {
    if (madeToolCalls && (this.#stopReason === undefined || this.#stopReason === "end")) return "tool_calls";
    return this.#stopReason ?? "other";
  }

  response(): ModelResponse {
    const toolCalls = [...this.#toolCalls.entries()].sort(([a], [b]) => a - b).map(([, call]) => call);
    return {
      provider: this.endpoint.provider,
      model: this.endpoint.model,
      text: this.#text,
      toolCalls,
      thinking: this.#thinking,
      ...(this.#usage ? { usage: this.#usage } : {}),
      stopReason: this.#stopReasonFor(toolCalls.length > 0),
    };
  }
}
