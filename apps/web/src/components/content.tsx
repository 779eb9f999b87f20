/*
 * A message's content as stored: a string (plain text), an array of content parts
 * ({type:"text", text} and others), or any JSON value. Text reads as text; everything else as
 * JSON, folded when long so one tool result does not bury the conversation.
 */
import { useState } from "preact/hooks";
import { prettyJson } from "../format.js";

const FOLD_AT = 600;

function Folded({ text }: { text: string }) {
  const [open, setOpen] = useState(false);
  if (text.length <= FOLD_AT) return <pre class="json">{text}</pre>;
  return (
    <div class="folded">
      <pre class="json">{open ? text : `${text.slice(0, FOLD_AT)}…`}</pre>
      <button type="button" class="link" aria-expanded={open} onClick={() => setOpen(!open)}>
        {open ? "show less" : `show all ${text.length} characters`}
      </button>
    </div>
  );
}

function Part({ part }: { part: unknown }) {
  if (typeof part === "object" && part !== null && (part as { type?: unknown }).type === "text" && typeof (part as { text?: unknown }).text === "string") {
    return <p class="text">{(part as { text: string }).text}</p>;
  }
  return <Folded text={prettyJson(part)} />;
}

export function Content({ content }: { content: unknown }) {
  if (typeof content === "string") return content.length > FOLD_AT * 4 ? <Folded text={content} /> : <p class="text">{content}</p>;
  if (content === undefined || content === null) return <p class="muted">(empty)</p>;
  if (Array.isArray(content)) {
    return (
      <div class="parts">
        {content.map((part, i) => (
          <Part key={i} part={part} />
        ))}
      </div>
    );
  }
  return <Folded text={prettyJson(content)} />;
}
