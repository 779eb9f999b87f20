// A kernel as it serves clients: an `aleph init`-ed workspace and `aleph start --no-watch` without
// `--events json` (that flag writes every bus event to stdout, a cost a serving kernel does not pay),
// ready once its control socket answers. Used by the benches that time work through the socket.
import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, cpSync, existsSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { connectControl, kernelSocket } from "./control-client.mjs";
import { CLI, kernelEnv, makeWorkspace, sleep } from "./lib.mjs";

const examples = resolve(fileURLToPath(new URL(".", import.meta.url)), "../plugins/examples");

/**
 * A workspace as `aleph init` makes it (soul, the main agent's bootstrap files), plus `config`
 * appended to its config.toml, `providers` as its providers.toml, and copies of the named example
 * plugins in <root>/plugins (their built dist included).
 */
export function initedWorkspace({ config = "", providers = "", examplePlugins = [] } = {}) {
  const ws = makeWorkspace({ createRoot: false });
  const init = spawnSync(process.execPath, [CLI, "init"], { cwd: ws.cwd, env: kernelEnv(ws), encoding: "utf8" });
  if (init.status !== 0) throw new Error(`aleph init failed (${init.status}): ${init.stderr}`);
  if (config) appendFileSync(join(ws.root, "config.toml"), `\n${config}`);
  if (providers) writeFileSync(join(ws.root, "providers.toml"), providers, { mode: 0o600 });
  for (const name of examplePlugins) {
    if (!existsSync(join(examples, name, "dist"))) throw new Error(`plugins/examples/${name} is not built (run pnpm build)`);
    cpSync(join(examples, name), join(ws.root, "plugins", name), { recursive: true, filter: (src) => !src.includes("node_modules") && !src.includes("/test") });
  }
  return ws;
}

/**
 * Starts `aleph start --no-watch` on the workspace and resolves once its control socket answers,
 * with every plugin in `expectActive` active. `nodeFlags` go before the CLI (e.g. --cpu-prof).
 */
export async function startServingKernel(ws, { expectActive = [], nodeFlags = [], timeoutMs = 30_000 } = {}) {
  const child = spawn(process.execPath, [...nodeFlags, CLI, "start", "--no-watch"], { cwd: ws.cwd, env: kernelEnv(ws), stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  let exited = null;
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (d) => (stderr = (stderr + d).slice(-4000)));
  const exit = new Promise((r) => child.on("exit", (code, signal) => r((exited = { code, signal }))));
  const stop = async () => {
    if (!exited) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exit;
      clearTimeout(timer);
    }
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(`aleph start exited (${exited.code ?? exited.signal}); stderr:\n${stderr}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`aleph start did not serve its control socket within ${timeoutMs} ms; stderr:\n${stderr}`);
    }
    if (existsSync(join(ws.root, "run", "kernel.json"))) {
      try {
        const client = await connectControl(kernelSocket(ws.root));
        const status = await client.request("status");
        client.close();
        const inactive = expectActive.filter((id) => !status.plugins.some((p) => p.id === id && p.status === "active"));
        if (inactive.length) {
          await stop();
          throw new Error(`plugins not active: ${inactive.join(", ")}; stderr:\n${stderr}`);
        }
        return { child, stop, status, get stderr() { return stderr; } };
      } catch (error) {
        if (/plugins not active/.test(error.message)) throw error;
        // not listening yet
      }
    }
    await sleep(20);
  }
}
