/*
 * Who may connect (docs/gateway.md, "Authentication"): the token on the upgrade, the control
 * page's cookie login, the Origin allow-list, and a non-loopback host without auth refused.
 * Every refusal happens on the HTTP upgrade, before any WebSocket exists.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createTestKernel } from "@aleph/testing";
import { gatewayDir, RpcTestClient, refusedUpgrade, startGateway, stopAll } from "./harness.js";

afterEach(stopAll);

/** POST /auth with a JSON body; the response and its Set-Cookie. */
async function login(http: string, token: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${http}/auth`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ token }) });
  return { status: response.status, body: (await response.json()) as any, cookie: response.headers.get("set-cookie") };
}

describe("authentication on the upgrade", () => {
  it("refuses no token and a wrong token (401, WWW-Authenticate: Bearer) and lets the right token in", async () => {
    const g = await startGateway();
    const none = await refusedUpgrade(g.ws);
    expect(none.status).toBe(401);
    expect(none.headers["www-authenticate"]).toMatch(/^Bearer/);
    expect(none.body.error).toMatchObject({ code: "ALEPH_E_AUTH", fix: expect.stringContaining("aleph gateway token") });
    const wrong = await refusedUpgrade(g.ws, { authorization: "Bearer not-the-token" });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.message).toMatch(/wrong token/);
    // A valid cookie does not rescue a wrong Bearer header, and a token of the right length but wrong is refused too.
    expect((await refusedUpgrade(g.ws, { authorization: `Bearer ${g.token.slice(0, -1)}${g.token.endsWith("A") ? "B" : "A"}` })).status).toBe(401);

    const client = await g.connect();
    expect(await client.request("status")).toMatchObject({ connections: 1 });
    client.close();
  });

  it("logs the page in with POST /auth: a signed HttpOnly SameSite=Strict cookie that opens the WebSocket, until logout or a new token", async () => {
    const g = await startGateway();
    expect(await (await fetch(`${g.http}/auth`)).json()).toEqual({ authenticated: false, required: true });

    const wrong = await login(g.http, "wrong");
    expect(wrong.status).toBe(401);
    expect(wrong.cookie).toBeNull();
    expect(wrong.body.error).toMatchObject({ code: "ALEPH_E_AUTH" });

    const ok = await login(g.http, g.token, { origin: g.http });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ authenticated: true });
    expect(ok.cookie).toMatch(/^aleph_gateway=v1\.\d+\.[A-Za-z0-9_-]+; HttpOnly; SameSite=Strict; Path=\/; Max-Age=604800$/);
    // Neither the cookie nor the answer holds the token.
    expect(ok.cookie).not.toContain(g.token);
    expect(JSON.stringify(ok.body)).not.toContain(g.token);
    const cookie = ok.cookie!.split(";")[0]!;
    expect(await (await fetch(`${g.http}/auth`, { headers: { cookie } })).json()).toEqual({ authenticated: true, required: true });

    const page = await RpcTestClient.connect(g.ws, { cookie, origin: g.http });
    expect(await page.request("agents.list")).toEqual([{ id: "main", default: true }]);
    page.close();

    // A tampered cookie (another expiry under the same signature) is refused.
    const [, expiry, sig] = cookie.split("=")[1]!.split(".");
    expect((await refusedUpgrade(g.ws, { cookie: `aleph_gateway=v1.${Number(expiry) + 1000}.${sig}` })).status).toBe(401);

    // Logout clears the cookie in the browser.
    const out = await fetch(`${g.http}/logout`, { method: "POST", headers: { origin: g.http } });
    expect(out.status).toBe(200);
    expect(out.headers.get("set-cookie")).toMatch(/^aleph_gateway=; .*Max-Age=0/);

    // A new token (aleph keys set gateway-token) ends every login made with the old one.
    writeFileSync(join(g.root, "keys", "gateway-token"), `${JSON.stringify({ aleph_vault: 1, encrypted: false, value: "a-brand-new-token-value" })}\n`, { mode: 0o600 });
    expect((await refusedUpgrade(g.ws, { cookie })).status).toBe(401);
    expect((await refusedUpgrade(g.ws, { authorization: `Bearer ${g.token}` })).status).toBe(401);
    const fresh = await RpcTestClient.connect(g.ws, { authorization: "Bearer a-brand-new-token-value" });
    fresh.close();
  });

  it("refuses POST /auth without JSON, with a body too large, or from a foreign origin", async () => {
    const g = await startGateway();
    const form = await fetch(`${g.http}/auth`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `token=${g.token}` });
    expect(form.status).toBe(415);
    expect(form.headers.get("set-cookie")).toBeNull();
    const big = await fetch(`${g.http}/auth`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ token: "x".repeat(10_000) }) });
    expect(big.status).toBe(413);
    expect((await fetch(`${g.http}/auth`, { method: "POST", headers: { "content-type": "application/json" }, body: "{nope" })).status).toBe(400);
    expect((await fetch(`${g.http}/auth`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })).status).toBe(400);
    const foreign = await login(g.http, g.token, { origin: "http://evil.example" });
    expect(foreign.status).toBe(403);
    expect(foreign.cookie).toBeNull();
    expect((await fetch(`${g.http}/logout`, { method: "POST", headers: { origin: "http://evil.example" } })).status).toBe(403);
    expect((await fetch(`${g.http}/auth`, { method: "DELETE" })).status).toBe(405);
  });
});

describe("origins", () => {
  it("refuses a browser origin that is not the gateway's own (403) even with the token; no Origin needs the token like everyone", async () => {
    const g = await startGateway();
    const foreign = await refusedUpgrade(g.ws, { origin: "http://evil.example", authorization: `Bearer ${g.token}` });
    expect(foreign.status).toBe(403);
    expect(foreign.body.error).toMatchObject({ code: "ALEPH_E_ORIGIN", fix: expect.stringContaining("allowed_origins") });
    // The page's own origin, and the loopback aliases of it.
    for (const origin of [g.http, `http://localhost:${g.port}`, `http://[::1]:${g.port}`]) {
      const client = await RpcTestClient.connect(g.ws, { origin, authorization: `Bearer ${g.token}` });
      client.close();
    }
    // Another port of the same host is another origin.
    expect((await refusedUpgrade(g.ws, { origin: `http://127.0.0.1:${g.port + 1}`, authorization: `Bearer ${g.token}` })).status).toBe(403);
    // No Origin: not a browser; the token decides.
    expect((await refusedUpgrade(g.ws)).status).toBe(401);
    (await g.connect()).close();
  });

  it("takes [gateway] allowed_origins instead of the default", async () => {
    const g = await startGateway({ gateway: { allowed_origins: ["https://aleph.example.com"] } });
    (await RpcTestClient.connect(g.ws, { origin: "https://aleph.example.com", authorization: `Bearer ${g.token}` })).close();
    expect((await refusedUpgrade(g.ws, { origin: g.http, authorization: `Bearer ${g.token}` })).status).toBe(403);
  });
});

describe("require_auth", () => {
  it("= false on loopback: anyone local connects (the page too); Origin is still checked", async () => {
    const g = await startGateway({ gateway: { require_auth: false } });
    const client = await RpcTestClient.connect(g.ws, {});
    expect(await client.request("status")).toMatchObject({ connections: 1 });
    client.close();
    expect(await (await fetch(`${g.http}/auth`)).json()).toEqual({ authenticated: true, required: false });
    expect((await refusedUpgrade(g.ws, { origin: "http://evil.example" })).status).toBe(403);
  });

  it("= false on a host other machines reach fails the plugin with ALEPH_E_CONFIG and a fix; nothing listens", async () => {
    const kernel = await createTestKernel({ plugins: [gatewayDir], config: { gateway: { host: "0.0.0.0", port: 0, require_auth: false } } });
    try {
      expect(kernel.plugin("gateway")).toMatchObject({ status: "failed", error: { code: "ALEPH_E_CONFIG", message: expect.stringMatching(/\[gateway\] is invalid.*require_auth: host "0\.0\.0\.0" is reachable from other machines.*set require_auth = true/) } });
      expect(existsSync(join(kernel.root, "data", "gateway", "listen.json"))).toBe(false);
    } finally {
      await kernel.stop();
    }
  });
});
