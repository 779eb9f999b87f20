// control-page: the control page (apps/web) in headless Chromium, served by the real gateway of
// `aleph start`, against a static page of the same size served by a bare node:http server, same
// run, interleaved. Two figures, each a median over fresh browser contexts (empty cache, no cookie):
//   - first contentful paint (performance.getEntriesByType("paint"));
//   - interactive: the User Timing mark `aleph-interactive`, which the page sets once the first
//     screen a person can act on is rendered — logged out, the login form (after GET /auth).
//     The static page sets the same mark from its script, with nothing else to do.
// Also reported: interactive when logged in (the cookie set first, the mark once the WebSocket
// is open and the views rendered) against the same static page; the app's own files served by
// the bare server (which answers GET /auth itself), to tell the page's cost from the gateway's;
// and the shipped JavaScript's gzipped size against the 150 KB budget (the one gated line).
//
// The static page has the same bytes: the gateway's index.html (asset names swapped), the same
// stylesheet, and a script made of the page's own JavaScript wrapped in a function never called
// (downloaded and parsed like the app, not run) after one line that sets the mark.
//
// Runs: BENCH_PAGE_RUNS (default 15) per side after BENCH_PAGE_WARMUP (3).
import { createServer } from "node:http";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { execFileSync } from "node:child_process";
import { CLI, check, fmtBytes, fmtMs, fmtX, kernelEnv, main, makeWorkspace, median, note, sleep, startAleph } from "./lib.mjs";

const BENCH = "control-page";
const CHROMIUM = "/usr/bin/chromium";
const RUNS = Number(process.env.BENCH_PAGE_RUNS ?? 15);
const WARMUP = Number(process.env.BENCH_PAGE_WARMUP ?? 3);
const JS_BUDGET = 150 * 1024;
const MARK = "aleph-interactive";

/** playwright-core: a devDependency of the e2e tests (test/), found from there when bench/ lacks it. */
function loadPlaywright() {
  for (const from of [import.meta.url, new URL("../test/package.json", import.meta.url)]) {
    try {
      return createRequire(from)("playwright-core");
    } catch {
      // next place
    }
  }
  throw new Error("playwright-core is not installed (a devDependency of test/): run `pnpm install`");
}

async function waitForFile(file, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      return JSON.parse(readFileSync(file, "utf8"));
    } catch {
      await sleep(50);
    }
  }
  throw new Error(`${file} did not appear within ${timeoutMs} ms: did the gateway start?`);
}

/** The page's files as the gateway serves them. */
async function fetchPage(base) {
  const html = await (await fetch(base)).text();
  const name = (pattern) => pattern.exec(html)?.[1];
  const js = name(/src="(?:\.?\/)?assets\/([^"]+\.js)"/);
  const css = name(/href="(?:\.?\/)?assets\/([^"]+\.css)"/);
  const icon = name(/href="(?:\.?\/)?assets\/([^"]+\.svg)"/);
  if (!js || !css) throw new Error(`the gateway's index.html names no app-*.js / app-*.css (is apps/web built into the gateway?):\n${html}`);
  const get = async (file) => Buffer.from(await (await fetch(new URL(`assets/${file}`, base))).arrayBuffer());
  return { html, jsName: js, cssName: css, iconName: icon, js: await get(js), css: await get(css), icon: icon ? await get(icon) : undefined };
}

/**
 * The bare node:http server: at / the static twin (same HTML and CSS, the JS wrapped in a function
 * never called, the mark set up front); at /app/ the app's own files with a GET /auth that says
 * "not logged in" — the app without the gateway, which splits the gap into page and server.
 */
function startBareServer(page) {
  const js = Buffer.concat([Buffer.from(`performance.mark(${JSON.stringify(MARK)});function notCalled(){`), page.js, Buffer.from("}")]);
  const html = page.html.replace(page.jsName, "static.js").replace(page.cssName, "static.css");
  const JS = "text/javascript; charset=utf-8";
  const CSS = "text/css; charset=utf-8";
  const HTML = "text/html; charset=utf-8";
  const files = {
    "/": [HTML, Buffer.from(html)],
    "/assets/static.js": [JS, js],
    "/assets/static.css": [CSS, page.css],
    "/app/": [HTML, Buffer.from(page.html)],
    [`/app/assets/${page.jsName}`]: [JS, page.js],
    [`/app/assets/${page.cssName}`]: [CSS, page.css],
    "/app/auth": ["application/json; charset=utf-8", Buffer.from('{"authenticated":false,"required":true}\n')],
  };
  if (page.icon) files[`/assets/${page.iconName}`] = files[`/app/assets/${page.iconName}`] = ["image/svg+xml", page.icon];
  const server = createServer((req, res) => {
    const file = files[req.url?.split("?")[0] ?? "/"];
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": file[0], "content-length": String(file[1].length), "cache-control": "no-store" });
    res.end(file[1]);
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const url = `http://127.0.0.1:${server.address().port}/`;
      resolve({ server, url, appUrl: `${url}app/`, bytes: html.length + js.length + page.css.length });
    }),
  );
}

/** One load in a fresh context: FCP and the interactive mark, in ms from navigation start. */
async function measure(browser, url, { token } = {}) {
  const context = await browser.newContext();
  try {
    if (token) {
      const answer = await context.request.post(new URL("auth", url).toString(), { data: { token } });
      if (!answer.ok()) throw new Error(`POST /auth answered ${answer.status()}`);
    }
    const page = await context.newPage();
    await page.goto(url);
    // Functions, not strings: the gateway's CSP forbids eval, which a string predicate needs.
    await page.waitForFunction((mark) => performance.getEntriesByName(mark).length > 0 && performance.getEntriesByName("first-contentful-paint").length > 0, MARK, { timeout: 15_000, polling: 5 });
    return await page.evaluate((mark) => ({ fcp: performance.getEntriesByName("first-contentful-paint")[0].startTime, interactive: performance.getEntriesByName(mark)[0].startTime }), MARK);
  } finally {
    await context.close();
  }
}

main(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: this bench needs Debian's chromium (apt-get install chromium)`);
  const { chromium } = loadPlaywright();

  const ws = makeWorkspace();
  writeFileSync(join(ws.root, "config.toml"), "[gateway]\nport = 0\n");
  const kernel = startAleph(ws);
  let statik;
  let browser;
  try {
    await kernel.ready();
    const listen = await waitForFile(join(ws.root, "data", "gateway", "listen.json"));
    const gatewayUrl = `http://${listen.host}:${listen.port}/`;
    const token = execFileSync(process.execPath, [CLI, "gateway", "token"], { cwd: ws.cwd, env: kernelEnv(ws), encoding: "utf8" }).trim();

    const page = await fetchPage(gatewayUrl);
    const jsGzip = gzipSync(page.js, { level: 9 }).length;
    statik = await startBareServer(page);
    note(`page: index.html ${fmtBytes(page.html.length)}, ${page.jsName} ${fmtBytes(page.js.length)} (${fmtBytes(jsGzip)} gzipped), ${page.cssName} ${fmtBytes(page.css.length)}; static twin ${fmtBytes(statik.bytes)}`);

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });

    const sides = {
      app: () => measure(browser, gatewayUrl),
      appLoggedIn: () => measure(browser, gatewayUrl, { token }),
      appBare: () => measure(browser, statik.appUrl),
      static: () => measure(browser, statik.url),
    };
    const samples = Object.fromEntries(Object.keys(sides).map((side) => [side, []]));
    const order = Object.keys(sides);
    for (let round = 0; round < WARMUP + RUNS; round++) {
      // The order rotates each round so drift (a warming disk cache, another process) hits every side alike.
      for (let i = 0; i < order.length; i++) {
        const side = order[(round + i) % order.length];
        const result = await sides[side]();
        if (round >= WARMUP) samples[side].push(result);
      }
    }

    const med = (side, key) => median(samples[side].map((s) => s[key]));
    const fcp = { app: med("app", "fcp"), static: med("static", "fcp") };
    const tti = { app: med("app", "interactive"), loggedIn: med("appLoggedIn", "interactive"), bare: med("appBare", "interactive"), static: med("static", "interactive") };
    check(BENCH, `control-page: first contentful paint ${fmtMs(fcp.app)} (gateway) vs ${fmtMs(fcp.static)} (static page, node:http) = ${fmtX(fcp.app / fcp.static)}, median of ${RUNS}`);
    check(BENCH, `control-page: interactive (login form) ${fmtMs(tti.app)} vs ${fmtMs(tti.static)} (static page) = ${fmtX(tti.app / tti.static)}, median of ${RUNS}`);
    check(BENCH, `control-page: interactive logged in (WebSocket open) ${fmtMs(tti.loggedIn)} vs ${fmtMs(tti.static)} (static page) = ${fmtX(tti.loggedIn / tti.static)}; its first paint ${fmtMs(med("appLoggedIn", "fcp"))}`);
    check(BENCH, `control-page: the same page from node:http (GET /auth answered there): first paint ${fmtMs(med("appBare", "fcp"))}, interactive ${fmtMs(tti.bare)} = ${fmtX(tti.bare / tti.static)} the static page — the rest of the gap is the gateway's serving`);
    check(BENCH, `control-page: JavaScript ${fmtBytes(jsGzip)} gzipped ≤ ${fmtBytes(JS_BUDGET)}`, jsGzip <= JS_BUDGET);
  } finally {
    await browser?.close();
    statik?.server.close();
    await kernel.stop();
  }
});
