import { createParser } from "eventsource-parser";

/*
 * Server-sent events from a response body (anthropic and openai stream this way). Parsing is
 * eventsource-parser's, which follows the spec: events may be split across network chunks, lines
 * may end in \r\n, comments (`: keep-alive`) are skipped, and an event the body cuts off before its
 * blank line is never dispatched — so a cut stream shows as a missing end marker, not a half event.
 */

/** One dispatched event: its `event:` name when the server gave one, and its data lines joined. */
export interface SseEvent {
  event?: string;
  data: string;
}

/** A line or event longer than this is a server gone wrong, not an answer: stop buffering it. */
const MAX_BUFFERED_CHARS = 16 * 1024 * 1024;

/** The events of `body`, in order. Throws what reading the body throws, and on an over-long event. */
export async function* readSseEvents(body: AsyncIterable<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  const ready: SseEvent[] = [];
  let overflow: Error | undefined;
  const parser = createParser({
    maxBufferSize: MAX_BUFFERED_CHARS,
    onEvent: (event) => ready.push(event.event === undefined ? { data: event.data } : { event: event.event, data: event.data }),
    onError: (error) => {
      // Unknown fields and bad `retry:` values are ignored, as the spec says; only overflow stops us.
      if (error.type === "max-buffer-size-exceeded") overflow = error;
    },
  });
  for await (const chunk of body) {
    parser.feed(decoder.decode(chunk, { stream: true }));
    if (overflow) throw overflow;
    yield* ready.splice(0);
  }
  parser.feed(decoder.decode());
  yield* ready.splice(0);
}
