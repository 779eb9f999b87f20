import { rmSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomicSync } from "@aleph/plugin-sdk";
import type { Kernel } from "@aleph/kernel";
import { subscribeEvents } from "../kernel-handle/event-subscription.js";
import { checkEmittable } from "../kernel-handle/in-process.js";
import { invokeService, invokeServiceStream } from "../kernel-handle/invoke-service.js";
import { controlSocketPath, startControlServer } from "./server.js";

const argsOf = (params: Record<string, unknown>): unknown[] => (Array.isArray(params.args) ? params.args : []);

/**
 * Opens the running kernel's control socket and announces it in run/kernel.json: the remote side
 * of every kernel handle (kernel-handle/remote.ts) — `aleph status`, plugin commands, `events tail`.
 */
export async function serveControl(kernel: Kernel, options: { lockPid?: number } = {}): Promise<void> {
  const socket = controlSocketPath(kernel.paths.runDir);
  const server = await startControlServer(
    socket,
    {
      status: () => kernel.status(),
      // Status, list and inspect come from the kernel's redacted views: they quote plugin errors.
      "plugins.list": () => kernel.status().plugins,
      "plugins.inspect": (params) => kernel.inspect(String(params.id ?? "")),
      "config.reload": () => kernel.reloadConfig(),
      // Look at every plugin again (`aleph plugins enable` lifted a quarantine).
      "plugins.refresh": async () => {
        await kernel.host.refresh([]);
        return null;
      },
      "service.call": (params) => invokeService(kernel, String(params.service ?? ""), String(params.method ?? ""), argsOf(params)),
      "service.stream": (params) => invokeServiceStream(kernel, String(params.service ?? ""), String(params.method ?? ""), argsOf(params)),
      "events.subscribe": (params, signal) => subscribeEvents(kernel, { ...(typeof params.prefix === "string" ? { prefix: params.prefix } : {}), signal }),
      "events.emit": async (params) => {
        const event = String(params.event ?? "");
        checkEmittable(event);
        await kernel.bus.emit(event as never, (params.payload ?? {}) as never);
        return null;
      },
      ping: () => "pong",
    },
    (text) => kernel.redact(text),
  );
  const infoFile = join(kernel.paths.runDir, "kernel.json");
  // lockPid: who holds run/kernel.lock — this process, or the supervisor that runs it (see running-kernel.ts).
  const lockPid = options.lockPid ?? process.pid;
  // Run state, gone with the process: atomic (never read half-written), not fsync'd.
  writeFileAtomicSync(infoFile, JSON.stringify({ pid: process.pid, lockPid, socket, root: kernel.paths.root, startedAt: kernel.startedAt }, null, 2) + "\n", { durable: false });
  kernel.onStop(async () => {
    await server.close();
    rmSync(infoFile, { force: true });
  });
}
