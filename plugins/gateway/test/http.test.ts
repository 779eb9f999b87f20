/*
 * The plain HTTP side (docs/gateway.md, "HTTP routes"): the control page and its assets with
 * their headers, /healthz, 404s — and no path that leaves the page's directory.
 */
import { readdirSync, readFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { gatewayDir, refusedUpgrade, startGateway, stopAll } from "./harness.js";

afterEach(stopAll);

/** A request with the path exactly as given (fetch would normalise `..` away). */
function rawGet(port: number, path: string, method = "GET"): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, method }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

const webDir = join(gatewayDir, "dist", "web");

describe("the control page", () => {
  it("is served at / with a strict CSP, nosniff, no-referrer, and revalidated on every load", async () => {
    const g = await startGateway();
    const page = await rawGet(g.port, "/");
    expect(page.status).toBe(200);
    expect(page.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(page.headers["cache-control"]).toBe("no-cache");
    expect(page.body).toBe(readFileSync(join(webDir, "index.html"), "utf8"));
    const csp = String(page.headers["content-security-policy"]);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${g.port}`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers["x-content-type-options"]).toBe("nosniff");
    expect(page.headers["referrer-policy"]).toBe("no-referrer");
    expect(page.headers["x-frame-options"]).toBe("DENY");
    // The page carries no secret.
    expect(page.body).not.toContain(g.token);
    expect((await rawGet(g.port, "/", "HEAD")).body).toBe("");
  });

  it("serves the page's assets as immutable, with their content types", async () => {
    const g = await startGateway();
    const assets = readdirSync(join(webDir, "assets"));
    expect(assets.length).toBeGreaterThan(0);
    for (const name of assets) {
      const asset = await rawGet(g.port, `/assets/${name}`);
      expect(asset.status, name).toBe(200);
      expect(asset.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
      expect(asset.headers["x-content-type-options"]).toBe("nosniff");
      if (name.endsWith(".js")) expect(asset.headers["content-type"]).toBe("text/javascript; charset=utf-8");
      if (name.endsWith(".css")) expect(asset.headers["content-type"]).toBe("text/css; charset=utf-8");
    }
  });

  it("never serves a file outside its directory, however the path is spelt", async () => {
    const g = await startGateway();
    const manifest = readFileSync(join(gatewayDir, "aleph_plugin.toml"), "utf8");
    for (const path of [
      "/../aleph_plugin.toml",
      "/assets/../../aleph_plugin.toml",
      "/assets/%2e%2e/%2e%2e/aleph_plugin.toml",
      "/assets/..%2f..%2faleph_plugin.toml",
      "/assets/%2E%2E%2F%2E%2E%2Faleph_plugin.toml",
      "/assets/..%5c..%5caleph_plugin.toml",
      "/assets//etc/passwd",
      "/assets/%00",
      "//etc/passwd",
      "/etc/passwd",
      "/assets/../../../../../../etc/passwd",
      "/index.html/../../aleph_plugin.toml",
      "/dist/index.js",
      "/package.json",
    ]) {
      const response = await rawGet(g.port, path);
      expect(response.status, path).toBe(404);
      expect(response.body, path).not.toContain("[plugin]");
      expect(response.body, path).not.toContain("root:");
      expect(response.body).not.toBe(manifest);
    }
  });

  it("answers /healthz without auth, 404 elsewhere, 405 for a wrong method; an upgrade off the root path is refused", async () => {
    const g = await startGateway();
    const health = await rawGet(g.port, "/healthz");
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ ok: true });
    expect(health.headers["cache-control"]).toBe("no-store");
    const missing = await rawGet(g.port, "/nothing-here");
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body).error).toMatchObject({ code: "ALEPH_E_NOT_FOUND" });
    expect((await rawGet(g.port, "/", "POST")).status).toBe(405);
    expect((await rawGet(g.port, "/healthz", "DELETE")).status).toBe(405);
    expect((await refusedUpgrade(`ws://127.0.0.1:${g.port}/other`, { authorization: `Bearer ${g.token}` })).status).toBe(404);
  });
});
