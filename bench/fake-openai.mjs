// A zero-latency OpenAI-compatible model server for the agent benches: POST /v1/chat/completions on
// 127.0.0.1, streamed (SSE chunks as the API sends them, usage chunk when asked, `[DONE]`) or not.
// It is stateless, so the same body always gets the same answer: a request whose last message is not
// a tool result, and that offers word_count, gets a word_count call; any other gets text. That makes
// a one-tool turn "tool call, then answer" and lets a bench replay the turn's own bodies directly.
// Each request is stamped on this process's clock (arrival, first byte written, end), which is how
// the benches split a turn's time between the model and the rest.
import { createServer } from "node:http";
import { performance } from "node:perf_hooks";

const MODEL = "fake-model";

const chunk = (delta, finish = null) =>
  `data: ${JSON.stringify({ id: "chatcmpl-bench", object: "chat.completion.chunk", created: 0, model: MODEL, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const usageChunk = () =>
  `data: ${JSON.stringify({ id: "chatcmpl-bench", object: "chat.completion.chunk", created: 0, model: MODEL, choices: [], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } })}\n\n`;

/** What the model answers to `body`: `{ toolCall: {name, arguments} }` or `{ text }`. */
function replyTo(body) {
  const last = body.messages?.at(-1);
  const offersTool = Array.isArray(body.tools) && body.tools.some((t) => t.function?.name === "word_count");
  if (last?.role !== "tool" && offersTool) {
    const words = String(last?.content ?? "").replace(/^.*?:\s*/, "");
    return { toolCall: { id: "call_bench_0", name: "word_count", arguments: JSON.stringify({ text: words }) } };
  }
  return { text: last?.role === "tool" ? `The count is ${last.content}.` : "Hello there." };
}

/**
 * Starts the server. `secondChunkDelayMs`: text answers are sent as two content chunks, the second
 * that long after the first (so the first token is distinguishable from the end); 0 sends one write.
 */
export async function startFakeOpenAI({ secondChunkDelayMs = 0 } = {}) {
  const log = [];
  const sockets = new Set();
  const server = createServer((req, res) => {
    const rec = { arrived: performance.now(), bodyRead: 0, firstByte: 0, ended: 0, body: null };
    const parts = [];
    req.on("data", (d) => parts.push(d));
    req.on("end", () => {
      rec.bodyRead = performance.now();
      if (req.method !== "POST" || req.url.split("?")[0] !== "/v1/chat/completions") {
        res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: `no route ${req.url}` } }));
        return;
      }
      const body = JSON.parse(Buffer.concat(parts).toString("utf8"));
      rec.body = body;
      log.push(rec);
      const reply = replyTo(body);
      if (body.stream !== true) {
        const message = reply.toolCall
          ? { role: "assistant", content: null, tool_calls: [{ id: reply.toolCall.id, type: "function", function: { name: reply.toolCall.name, arguments: reply.toolCall.arguments } }] }
          : { role: "assistant", content: reply.text };
        const text = JSON.stringify({ id: "chatcmpl-bench", object: "chat.completion", created: 0, model: MODEL, choices: [{ index: 0, message, finish_reason: reply.toolCall ? "tool_calls" : "stop" }], usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } });
        rec.firstByte = performance.now();
        res.writeHead(200, { "content-type": "application/json" }).end(text);
        rec.ended = performance.now();
        return;
      }
      const usage = body.stream_options?.include_usage === true;
      const tail = (finish) => chunk({}, finish) + (usage ? usageChunk() : "") + "data: [DONE]\n\n";
      res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
      rec.firstByte = performance.now();
      if (reply.toolCall) {
        const { id, name, arguments: args } = reply.toolCall;
        res.end(chunk({ role: "assistant", content: "" }) + chunk({ tool_calls: [{ index: 0, id, type: "function", function: { name, arguments: args } }] }) + tail("tool_calls"));
        rec.ended = performance.now();
        return;
      }
      if (secondChunkDelayMs <= 0) {
        res.end(chunk({ role: "assistant", content: "" }) + chunk({ content: reply.text }) + tail("stop"));
        rec.ended = performance.now();
        return;
      }
      res.write(chunk({ role: "assistant", content: "" }) + chunk({ content: reply.text }));
      setTimeout(() => {
        res.end(chunk({ content: " (more)" }) + tail("stop"));
        rec.ended = performance.now();
      }, secondChunkDelayMs);
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const url = `http://127.0.0.1:${server.address().port}`;
  return {
    url,
    baseUrl: `${url}/v1`,
    /** Every chat request answered, in order, with its stamps. */
    log,
    close() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** providers.toml text pointing one provider at the fake (no retries: a failure should show, not hide). */
export function providersToml(fake, name = "bench") {
  return `[providers.${name}]\nprotocol = "openai"\nmodel = "${MODEL}"\nbase_url = "${fake.baseUrl}"\nmax_retries = 0\n`;
}
