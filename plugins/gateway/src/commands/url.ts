import { join } from "node:path";
import { AlephError, json, type CommandInput } from "@aleph/plugin-sdk";
import { gatewayUrls, readListenFile } from "../listen-file.js";

/**
 * `aleph gateway url [--json]`: where the running gateway listens — the WebSocket endpoint and
 * the control page — read from data/gateway/listen.json, which the gateway writes once it listens
 * (so `port = 0` shows the port it got). Without a running gateway there is no address to give.
 */
export async function gatewayUrlCommand(cmd: CommandInput): Promise<number> {
  const info = readListenFile(join(cmd.paths.root, "data", "gateway"));
  if (!info || !isAlive(info.pid)) {
    throw new AlephError("ALEPH_E_UNAVAILABLE", `no gateway is running on ${cmd.paths.root}`, {
      fix: "start Aleph (`aleph start`): the gateway listens on [gateway] host:port, by default 127.0.0.1:18790",
    });
  }
  const urls = gatewayUrls(info);
  if (cmd.options.json === true) cmd.out(json({ ...urls, host: info.host, port: info.port, pid: info.pid, startedAt: info.startedAt }));
  else cmd.out(`${urls.ws}\n${urls.http}\n`);
  return 0;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
