import { spawn } from "node:child_process";
import { SecretRedactor, type DoctorFinding } from "@aleph/plugin-sdk";
import { discoverPlugins, loadConfig, pluginSearchPaths, vaultOptions, type AlephPaths } from "@aleph/kernel";
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

/** Scrubs the config's secret values (vault keys included) out of text, as a log line is: a plugin's check may quote what it had in hand. */
export function configRedactor(paths: AlephPaths, env: NodeJS.ProcessEnv): (text: string) => string {
  const redactor = new SecretRedactor();
  const result = loadConfig({ config: paths.configFile, providers: paths.providersFile }, env, vaultOptions(paths, env));
  if (result.ok) redactor.set(result.snapshot.secrets);
  return (text) => redactor.redact(text);
}

/** The child writes its findings to this descriptor, so whatever the plugin prints to stdout cannot garble them. */
export const FINDINGS_FD = 3;

function problem(id: string, message: string, fix: string): Finding {
  return { check: id, ok: false, message, fix };
}

/**
 * Runs one plugin's checks in a child `aleph` process and turns its answer into findings. A child
 * that runs past the limit is killed, and one that crashes or answers nonsense is a finding of its
 * own: a broken plugin never stops the report. Every text is scrubbed with `redact`.
 */
export function runPluginChecks(id: string, options: { env: NodeJS.ProcessEnv; cwd: string; fix: boolean; redact: (text: string) => string }): Promise<Finding[]> {
  // ALEPH_DOCTOR_TIMEOUT_MS shortens (or lengthens) the limit: for slow machines, and for tests.
  const fromEnv = Number(options.env.ALEPH_DOCTOR_TIMEOUT_MS);
  const timeoutMs = Number.isSafeInteger(fromEnv) && fromEnv > 0 ? fromEnv : PLUGIN_CHECKS_TIMEOUT_MS;
  const redact = options.redact;
  return new Promise((resolve) => {
    // stdout is dropped: a plugin's console.log is not a finding (findings come on FINDINGS_FD).
    const child = spawn(process.execPath, [process.argv[1]!, CHILD_COMMAND, id, ...(options.fix ? ["--fix"] : [])], { env: options.env, cwd: options.cwd, stdio: ["ignore", "ignore", "pipe", "pipe"] });
    let answer = "";
    let stderr = "";
    (child.stdio[FINDINGS_FD] as NodeJS.ReadableStream).setEncoding("utf8").on("data", (d: string) => (answer += d));
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr = (stderr + d).slice(-4000)));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const lastLine = redact(stderr.trim().split("\n").at(-1) ?? "");
      if (timedOut) {
        resolve([problem(id, `its doctor checks ran past ${timeoutMs} ms and were stopped`, `check the plugin's doctor() for a hang; \`aleph plugins inspect ${id}\``)]);
        return;
      }
      if (code !== 0) {
        const how = signal ? `killed by ${signal}` : `exit code ${code}`;
        resolve([problem(id, `its doctor checks failed: ${lastLine.replace(/^aleph \S+: /, "") || how}`, `\`aleph plugins inspect ${id}\``)]);
        return;
      }
      try {
        const findings = JSON.parse(answer) as DoctorFinding[];
        if (!Array.isArray(findings)) throw new TypeError("not an array");
        resolve(
          findings.map((f) => ({
            check: f.check ?? id,
            ok: f.ok === true,
            message: redact(String(f.message)),
            ...(f.path ? { path: f.path } : {}),
            ...(f.fix ? { fix: redact(f.fix) } : {}),
            ...(f.fixed ? { fixed: redact(f.fixed) } : {}),
          })),
        );
      } catch {
        resolve([problem(id, "its doctor checks answered something that is not a list of findings", `fix the plugin's doctor(); \`aleph plugins inspect ${id}\``)]);
      }
    });
  });
}
