/*
 * The control page (apps/web) end to end, in a real browser: Debian's Chromium driven by
 * playwright-core, against `aleph start` with the bundled gateway serving the page and its
 * WebSocket, and a fake OpenAI-compatible model on 127.0.0.1 answering the chat. Every step is
 * photographed into test/.artifacts/control-page/ (kept for CI to upload; git ignores it).
 *
 * Needs /usr/bin/chromium (`apt-get install chromium`; CI installs it). ALEPH_SKIP_BROWSER_TESTS=1
 * skips the file where no browser can run.
 */
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createWorkspace, eventually, runCli, runCliJson, startReadyKernel, type KernelProcess, type Workspace } from "./support/aleph.js";
import { fakeModel, openaiProvider, writeProviders } from "./support/model.js";

const CHROMIUM = "/usr/bin/chromium";
const ARTIFACTS = join(dirname(fileURLToPath(import.meta.url)), ".artifacts", "control-page");
const skip = process.env.ALEPH_SKIP_BROWSER_TESTS === "1";

const REPLY = "Hello from the fake model: this reply streams into the page piece by piece.";

let browser: Browser;

/** Where the running gateway listens (data/gateway/listen.json, written once it does). */
function gatewayUrl(ws: Workspace): Promise<string> {
  return eventually(() => {
    const info = JSON.parse(readFileSync(join(ws.root, "data", "gateway", "listen.json"), "utf8")) as { host: string; port: number };
    return `http://${info.host}:${info.port}/`;
  }, 15_000);
}

async function gatewayToken(ws: Workspace): Promise<string> {
  const result = await runCli(ws, ["gateway", "token"]);
  if (result.code !== 0) throw new Error(`aleph gateway token exited ${result.code}\n${result.stderr}`);
  return result.stdout.trim();
}

/** A free TCP port on 127.0.0.1 (for a gateway that must come back on the same port). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A fresh browser context (no cookies) whose page reports script errors and CSP violations. */
async function openPage(): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  // What the page's CSP refused (an inline script or style, a foreign connection) is the page's fault;
  // a warning about the header's own sources is the gateway's, and not what this file tests.
  page.on("console", (message) => {
    if (/Refused to|violates the following Content Security Policy/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
  });
  return { context, page, problems };
}

/** Waits until the locator's element is visible (playwright-core has no expect matchers; vitest's expect does the rest). */
async function visible(locator: Locator, timeout = 10_000): Promise<void> {
  await locator.first().waitFor({ state: "visible", timeout });
}

/** Polls the locator's text until it contains `expected` (a string) or matches it (a pattern). */
async function textMatches(locator: Locator, expected: RegExp | string, timeout = 10_000): Promise<void> {
  const text = expect.poll(async () => (await locator.first().textContent()) ?? "", { timeout });
  await (typeof expected === "string" ? text.toContain(expected) : text.toMatch(expected));
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

async function startGateway(config: string, prepare: (ws: Workspace) => void = () => undefined): Promise<{ ws: Workspace; kernel: KernelProcess; url: string; token: string }> {
  const ws = createWorkspace({ config });
  prepare(ws);
  const kernel = await startReadyKernel(ws);
  await kernel.waitForEvent("plugin.loaded", (p) => p.id === "gateway", 15_000);
  return { ws, kernel, url: await gatewayUrl(ws), token: await gatewayToken(ws) };
}

/** The connection badge says "connected" (not "disconnected…"). */
const CONNECTED = /^\s*connected\s*$/;

async function logIn(page: Page, token: string): Promise<void> {
  await page.getByLabel("Gateway token").fill(token);
  await page.getByRole("button", { name: "Log in" }).click();
  try {
    await expect.poll(() => page.getByRole("status").textContent(), { timeout: 20_000 }).toMatch(CONNECTED);
  } catch (error) {
    await shot(page, "login-failed"); // what the page showed instead, for the CI artifacts
    throw error;
  }
}

describe.skipIf(skip)("the control page in headless Chromium", () => {
  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} is missing: the control page's browser tests need Debian's chromium (apt-get install chromium; CI installs it). Set ALEPH_SKIP_BROWSER_TESTS=1 to skip them.`,
      );
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    // playwright-core gives each launch a fresh temporary profile (user data dir), removed on close.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
  });

  test("loads the login form, refuses a wrong token, logs in, shows the plugins, and renders a streamed reply", async () => {
    const model = await fakeModel([
      { text: REPLY, chunkChars: 6, chunkDelayMs: 60 },
      { text: "Once upon a time ".repeat(40), chunkChars: 4, chunkDelayMs: 150 },
    ]);
    const { ws, url, token } = await startGateway("[gateway]\nport = 0\n", (w) => writeProviders(w, openaiProvider("local", model)));
    const { context, page, problems } = await openPage();

    // 1. The page loads: the login form, and the interactive mark the benchmark reads.
    await page.goto(url);
    await visible(page.getByLabel("Gateway token"));
    await expect.poll(() => page.evaluate(() => performance.getEntriesByName("aleph-interactive").length)).toBe(1);
    await shot(page, "1-login");

    // 2. A wrong token: an error saying so and how to get the right one; no session cookie.
    await page.getByLabel("Gateway token").fill("not-the-gateway-token");
    await page.getByRole("button", { name: "Log in" }).click();
    await textMatches(page.getByRole("alert"), "not the gateway's token");
    await textMatches(page.getByRole("alert"), "aleph gateway token");
    expect((await context.cookies()).map((c) => c.name)).not.toContain("aleph_gateway");
    await shot(page, "2-wrong-token");

    // 3. The right token: an HttpOnly, SameSite=Strict cookie; the token in no URL and no storage.
    await logIn(page, token);
    const cookie = (await context.cookies()).find((c) => c.name === "aleph_gateway");
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict" });
    expect(page.url()).not.toContain(token);
    const stored = await page.evaluate(() => {
      const w = globalThis as unknown as { document: { cookie: string }; localStorage: unknown; sessionStorage: unknown };
      return [w.document.cookie, JSON.stringify(w.localStorage), JSON.stringify(w.sessionStorage)].join(" ");
    });
    expect(stored).not.toContain(token);
    await visible(page.getByRole("heading", { name: "Kernel" }));
    await visible(page.getByText(ws.root, { exact: true }));
    await shot(page, "3-status");

    // 4. The plugins view lists the bundled plugins.
    await page.getByRole("link", { name: "Plugins" }).click();
    const plugins = page.locator("table.plugins");
    for (const id of ["agent", "sessions", "gateway"]) await visible(plugins.getByRole("rowheader", { name: id, exact: true }));
    await textMatches(page.locator('tr[data-plugin="agent"]'), "active");
    await shot(page, "4-plugins");

    // 5. The chat panel sends a message; the reply is rendered while it streams, then settles.
    expect(model.requests).toHaveLength(0); // the wrong token reached nothing
    await page.getByRole("link", { name: "Chat", exact: true }).click();
    await page.getByLabel("Message").fill("Say hello, please.");
    await page.getByRole("button", { name: "Send" }).click();
    const reply = page.locator(".exchange .reply");
    // Part of the text on screen while the turn still runs: the pieces arrive as chat.event notifications.
    await page.waitForFunction(
      (full) => {
        // Runs in the page (a function, not a string: the page's CSP forbids eval).
        const dom = (globalThis as unknown as { document: { querySelector(s: string): { textContent: string | null } | null } }).document;
        const shown = dom.querySelector(".exchange .reply-running p.text")?.textContent ?? "";
        return shown.length > 0 && shown.length < full.length && full.startsWith(shown);
      },
      REPLY,
      { timeout: 15_000, polling: 10 },
    );
    await shot(page, "5-chat-streaming");
    await visible(page.locator(".exchange .reply-ok"), 15_000);
    expect(await reply.locator("p.text").allTextContents()).toEqual([REPLY]);
    await textMatches(reply, "local/fake-model");
    await shot(page, "6-chat-reply");

    // What the page sent reached the model, and the session holds the exchange.
    expect(model.requests).toHaveLength(1);
    expect((model.requests[0]!.body.messages as { role: string; content: string }[]).at(-1)).toEqual({ role: "user", content: "Say hello, please." });
    const session = await runCliJson<{ messages: { role: string; content: unknown }[] }>(ws, ["sessions", "show", "agent:main:main", "--json"]);
    expect(session.messages.map((m) => [m.role, m.content])).toEqual([
      ["user", "Say hello, please."],
      ["assistant", REPLY],
    ]);

    // 6. The sessions view shows that session's messages.
    await page.getByRole("link", { name: "Sessions" }).click();
    await page.getByRole("link", { name: "agent:main:main" }).click();
    await textMatches(page.locator("ol.messages li.role-assistant"), REPLY);
    await shot(page, "7-session");

    // The chat stream of that session (chat id main-main) holds the inbound message and the reply.
    await page.getByRole("link", { name: "Chats" }).click();
    await page.getByRole("link", { name: "main-main" }).click();
    await textMatches(page.locator("ol.messages"), "Say hello, please.");
    await textMatches(page.locator("ol.messages li").last(), REPLY);

    // The live events, subscribed since login, saw the turn; the filter narrows them.
    await page.getByRole("link", { name: "Events" }).click();
    await textMatches(page.locator("ol.events"), "agent.turn.completed");
    await page.getByLabel("Filter").fill("agent.turn.completed");
    await expect.poll(async () => new Set(await page.locator("ol.events .event-name").allTextContents())).toEqual(new Set(["agent.turn.completed"]));
    await shot(page, "7b-events");

    // 7. Stop: chat.abort ends a running turn, and the page says it stopped.
    await page.getByRole("link", { name: "Chat", exact: true }).click();
    await page.getByLabel("Message").fill("Tell me a long story.");
    await page.getByRole("button", { name: "Send" }).click();
    const story = page.locator(".exchange").last();
    await textMatches(story.locator(".reply-running p.text"), "Once upon");
    await page.getByRole("button", { name: "Stop" }).click();
    await visible(story.locator(".reply-stopped"), 15_000);
    await textMatches(story.locator(".reply"), "Stopped.");
    await visible(page.getByRole("button", { name: "Send" }));
    await shot(page, "8-chat-stopped");

    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  test("when the gateway restarts, the page shows it lost the connection and reconnects by itself", async () => {
    const port = await freePort();
    const { ws, url, token } = await startGateway(`[gateway]\nport = ${port}\n`);
    const { context, page, problems } = await openPage();
    await page.goto(url);
    await logIn(page, token);

    // A change to [gateway] restarts the server: connections close (1012) and the page reconnects.
    ws.writeConfig(`[gateway]\nport = ${port}\nrate_limit = 60\n`);
    await expect.poll(() => page.getByRole("status").textContent(), { timeout: 15_000, interval: 20 }).toMatch(/disconnected|reconnecting|connecting/);
    await shot(page, "9-reconnecting");
    await expect.poll(() => page.getByRole("status").textContent(), { timeout: 20_000 }).toMatch(CONNECTED);
    // The views work again over the new connection.
    await page.getByRole("link", { name: "Agents" }).click();
    await visible(page.getByRole("rowheader", { name: "main", exact: true }));
    await shot(page, "10-reconnected");

    // Logging out clears the cookie and shows the form again.
    await page.getByRole("button", { name: "Log out" }).click();
    await visible(page.getByLabel("Gateway token"));
    await expect.poll(async () => (await context.cookies()).filter((c) => c.name === "aleph_gateway" && c.value !== "").length).toBe(0);
    await page.reload();
    await visible(page.getByLabel("Gateway token"));

    expect(problems).toEqual([]);
    await context.close();
  }, 120_000);

  test("with require_auth = false the page opens the views at once: no token form, no Log out", async () => {
    const { url } = await startGateway("[gateway]\nport = 0\nrequire_auth = false\n");
    const { context, page, problems } = await openPage();
    await page.goto(url);
    await expect.poll(() => page.getByRole("status").textContent(), { timeout: 10_000 }).toMatch(CONNECTED);
    await visible(page.getByRole("heading", { name: "Kernel" }));
    expect(await page.getByLabel("Gateway token").count()).toBe(0);
    expect(await page.getByRole("button", { name: "Log out" }).count()).toBe(0);
    await shot(page, "11-no-auth");
    expect(problems).toEqual([]);
    await context.close();
  }, 60_000);
});
