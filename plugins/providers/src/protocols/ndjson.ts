/*
 * Newline-delimited JSON from a response body (ollama streams this way): one JSON object per line.
 * Lines are returned as text; the adapter parses them, so a line that is not JSON becomes a stream
 * error naming the provider rather than an exception here.
 */

const MAX_LINE_CHARS = 16 * 1024 * 1024;

/** The non-blank lines of `body`, in order, including a last line without its newline. Throws what reading the body throws. */
export async function* readLines(body: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffered = "";
  for await (const chunk of body) {
    buffered += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffered.indexOf("\n")) !== -1) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line !== "") yield line;
    }
    if (buffered.length > MAX_LINE_CHARS) throw new Error(`a line longer than ${MAX_LINE_CHARS} characters`);
  }
  buffered += decoder.decode();
  if (buffered.trim() !== "") yield buffered.trim();
}
