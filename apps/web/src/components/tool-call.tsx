/* A tool call on one line: `⚙ name(args)`, with its result folded under it when there is one. */
import { compactJson } from "../format.js";

export function ToolCallLine({ name, args, result }: { name: string; args: unknown; result?: { ok: boolean; content: string } }) {
  return (
    <div class="tool-call">
      <p>
        <span aria-hidden="true">⚙ </span>
        <span class="sr-only">tool call </span>
        <code>
          {name}({compactJson(args, 160)})
        </code>
      </p>
      {result && (
        <p class={result.ok ? "tool-result ok" : "tool-result failed"}>
          <span>{result.ok ? "→ " : "✗ "}</span>
          <code>{compactJson(result.content, 240)}</code>
        </p>
      )}
    </div>
  );
}
