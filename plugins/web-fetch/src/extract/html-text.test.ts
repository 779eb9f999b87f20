import { describe, expect, it } from "vitest";
import { htmlToText } from "./html-text.js";

describe("htmlToText", () => {
  it("returns the title apart and the body as text: headings in their case, links absolute, no scripts, styles or images", async () => {
    const html = `<!doctype html><html><head><title>  The  &amp; Page </title><style>p{color:red}</style><script>var secret = 1;</script></head>
      <body><h1>Hello World</h1><p>First paragraph with a <a href="/docs/intro?x=1">relative link</a> and <a href="https://other.example/">https://other.example/</a>.</p>
      <img src="/logo.png" alt="logo"><ul><li>one</li><li>two</li></ul><script>alert(1)</script>



      <p>Last.</p></body></html>`;
    const { title, text } = await htmlToText(html, "https://site.example/blog/post.html");
    expect(title).toBe("The & Page");
    expect(text).toContain("Hello World");
    expect(text).toContain("relative link [https://site.example/docs/intro?x=1]");
    expect(text).toContain("https://other.example/");
    expect(text).not.toContain("[https://other.example/]");
    expect(text).toMatch(/\* one\n \* two/);
    expect(text).not.toMatch(/secret|alert|color:red|logo/);
    expect(text).not.toMatch(/\n\n\n/);
    expect(text.endsWith("Last.")).toBe(true);
  });

  it("has no title when the page has none", async () => {
    expect(await htmlToText("<p>x</p>", "http://a.example/")).toEqual({ text: "x" });
  });
});

describe("the title of a hostile page", () => {
  it("is found quickly, or not at all, however many unclosed <title> tags it has", async () => {
    const hostile = `<html><head>${"<title>".repeat(200_000)}</head><body><p>body</p></body></html>`;
    const started = performance.now();
    const { title, text } = await htmlToText(hostile, "http://a.example/");
    expect(title).toBeUndefined();
    expect(text).toContain("body");
    expect(performance.now() - started).toBeLessThan(5000);
    expect((await htmlToText("<TITLE data-x=1>Attr\n  Title</Title><p>x</p>", "http://a.example/")).title).toBe("Attr Title");
    expect((await htmlToText("<titles>no</titles><p>x</p>", "http://a.example/")).title).toBeUndefined();
  });
});
