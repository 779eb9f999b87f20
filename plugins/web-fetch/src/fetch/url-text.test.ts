import { describe, expect, it } from "vitest";
import { urlForLog } from "./url-text.js";

describe("urlForLog", () => {
  it("keeps scheme, host and path; hides the query, credentials and fragment", () => {
    expect(urlForLog(new URL("https://api.example.com/v1/items?key=SECRET&x=1#top"))).toBe("https://api.example.com/v1/items?…");
    expect(urlForLog(new URL("http://user:pw@127.0.0.1:8080/a"))).toBe("http://127.0.0.1:8080/a");
    expect(urlForLog(new URL("http://example.com"))).toBe("http://example.com/");
  });

  it("names URLs without an origin by what they are, shortened when long", () => {
    expect(urlForLog(new URL("file:///etc/passwd"))).toBe("file:///etc/passwd");
    expect(urlForLog(new URL("javascript:alert(1)"))).toBe("javascript:alert(1)");
    expect(urlForLog(new URL(`data:text/plain,${"a".repeat(1000)}`))).toMatch(/^data:text\/plain,a+…$/);
    expect(urlForLog(new URL(`data:text/plain,${"a".repeat(1000)}`)).length).toBe(301);
  });
});
