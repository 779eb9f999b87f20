import { rmSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomicSync } from "@aleph/plugin-sdk";
import type { Kernel } from "@aleph/kernel";
import { configJsonSchema } from "../config-json-schema.js";
import { controlSocketPath, startControlServer } from "./control-server.js";
import { toolsOf } from "../tools-service.js";
import { invokeService } from "../service-call.js";

/**
 * Opens the running kernel's control socket and announces it in run/kernel.json, so that
 * `aleph status` and `aleph plugins list` can ask the kernel instead of guessing from disk.
 */
export async function serveControl(kernel: Kernel): Promise<void> {
  const socket = controlSocketPath(kernel.paths.runDir);
  const server = await startControlServer(socket, {
    status: () => kernel.status(),
    // Status, list and inspect come from the kernel's redacted views: they quote plugin errors.
    "plugins.list": () => kernel.status().plugins,
    "plugins.inspect": (params) => kernel.inspect(String(params.id ?? "")),
    "config.schema": () => configJsonSchema(kernel.host),
    "tools.list": () => toolsOf(kernel).list(),
    "tools.call": (params) => toolsOf(kernel).call(String(params.name ?? ""), params.args),
    "service.call": (params) => invokeService(kernel, String(params.service ?? ""), String(params.method ?? ""), Array.isArray(params.args) ? params.args : []),
    "config.reload": () => kernel.reloadConfig(),
    ping: () => "pong",
  }, (text) => kernel.redact(text));
  const infoFile = join(kernel.paths.runDir, "kernel.json");
  const status = kernel.status();
  writeFileAtomicSync(infoFile, JSON.stringify({ pid: status.pid, socket, root: status.root, startedAt: status.startedAt }, null, 2) + "\n");
  kernel.onStop(async () => {
    await server.close();
    rmSync(infoFile, { force: true });
  });
}
