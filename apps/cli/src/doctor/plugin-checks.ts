import { spawn } from "node:child_process";
import type { DoctorFinding } from "@aleph/plugin-sdk";
import { discoverPlugins, pluginSearchPaths, type AlephPaths } from "@aleph/kernel";
import { readExtensions } from "./extensions.js";
import type { Finding } from "./checks.js";

/** How long one plugin's checks may run before doctor gives up on them and says so. */
export const PLUGIN_CHECKS_TIMEOUT_MS = 20_000;

/** The hidden command a child process runs for one plugin's checks (plugin-checks-child.ts). */
export const CHILD_COMMAND = "__doctor-checks";

/** The plugins that would load and contribute checks (`[plugin] doctor = true`), from their manifests alone. */
export function pluginsWithChecks(paths: AlephPaths, env: NodeJS.ProcessEnv, bundled: string[]): string[] {
  const ext = readExtensions(paths, env);
  const found = discoverPlugins(ext.enabled ? pluginSearchPaths(paths) : [], bundled);
  return [...found.winners.values()].filter((c) => !c.error && c.manifest?.doctor && !ext.disabled.includes(c.id)).map((c) => c.id).sort();
}

function problem(id: string, message: string, fix: string): Finding {
  return { check: id, ok: false, message, fix };
}

/**
 * Runs one plugin's checks in a child `aleph` process and turns its answer into findings. A child
 * that runs past the limit is killed, and one that crashes or answers nonsense is a finding of its
 * own: a broken plugin never stops the report.
 */
export function runPluginChecks(id: string, options: { env: NodeJS.ProcessEnv; cwd: string; fix: boolean }): Promise<Finding[]> {
  // ALEPH_DOCTOR_TIMEOUT_MS shortens (or lengthens) the limit: for slow machines, and for tests.
  const fromEnv = Number(options.env.ALEPH_DOCTOR_TIMEOUT_MS);
  const timeoutMs = Number.isSafeInteger(fromEnv) && fromEnv > 0 ? fromEnv : PLUGIN_CHECKS_TIMEOUT_MS;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [process.argv[1]!, CHILD_COMMAND, id, ...(options.fix ? ["--fix"] : [])], { env: options.env, cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr = (stderr + d).slice(-4000)));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const lastLine = stderr.trim().split("\n").at(-1) ?? "";
      if (signal === "SIGKILL") {
        resolve([problem(id, `its doctor checks ran past ${timeoutMs} ms and were stopped`, `check the plugin's doctor() for a hang; \`aleph plugins inspect ${id}\``)]);
        return;
      }
      if (code !== 0) {
        resolve([problem(id, `its doctor checks failed: ${lastLine.replace(/^aleph \S+: /, "") || `exit code ${code}`}`, `\`aleph plugins inspect ${id}\``)]);
        return;
      }
      try {
        const findings = JSON.parse(stdout) as DoctorFinding[];
        resolve(findings.map((f) => ({ check: f.check ?? id, ok: f.ok === true, message: String(f.message), ...(f.path ? { path: f.path } : {}), ...(f.fix ? { fix: f.fix } : {}), ...(f.fixed ? { fixed: f.fixed } : {}) })));
      } catch {
        resolve([problem(id, "its doctor checks answered something that is not a list of findings", `fix the plugin's doctor(); \`aleph plugins inspect ${id}\``)]);
      }
    });
  });
}
