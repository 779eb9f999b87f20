import { randomBytes } from "node:crypto";
import { audit, errorMessage, keyInfo, PLUGIN_ID_RULE, validateId, VAULT_PASSPHRASE_ENV, workspaceRef, writeKey } from "@aleph/plugin-sdk";
import { resolvePaths } from "@aleph/kernel";
import type { Command } from "../command.js";
import { withKernelHandle } from "../kernel-handle/open.js";
import { initWorkspace } from "../workspace-init.js";

export const initCommand: Command = {
  name: "init",
  summary: "Create the workspace (state root); never overwrites an existing file",
  details: [
    "Creates config.toml (every default, commented), providers.toml (0600), keys/ (0700), plugins/, logs/, run/,",
    "agents/, memory/, skills/, protocols/, chat/, audit/, and links ~/.aleph to the root when the root is in",
    "the home directory and ~/.aleph does not exist. Generates the gateway's token (vault key gateway-token,",
    `encrypted when ${VAULT_PASSPHRASE_ENV} is set) unless there is one. Appends the run to the audit log.`,
  ].join("\n"),
  options: { profile: { type: "string", value: "name", description: "Use the profile's root (~/.config/aleph-<name>), like ALEPH_PROFILE" } },
  async run({ env, cwd, out, options }) {
    const profile = typeof options.profile === "string" ? validateId("profile", options.profile, PLUGIN_ID_RULE) : undefined;
    const paths = resolvePaths({ env: profile ? { ...env, ALEPH_PROFILE: profile } : env, cwd });
    let result;
    try {
      result = initWorkspace(paths);
      if (await seedGatewayToken(paths.credentialsDir, env)) result.created.push(`${paths.credentialsDir}/${GATEWAY_TOKEN_KEY} (the gateway's token: aleph gateway token prints it)`);
    } catch (error) {
      audit(paths.root, { actor: "cli", action: "workspace.init", target: paths.root, ok: false, error: errorMessage(error) });
      throw error;
    }
    // A run that created nothing changed nothing, not even the audit log.
    if (result.created.length > 0) audit(paths.root, { actor: "cli", action: "workspace.init", target: paths.root, ok: true });
    // What belongs to capabilities (agents/, soul.md, the agents' workspaces) is the workspace
    // plugin's, which creates only what is missing: in a running kernel, or in one started quietly
    // for this with that plugin alone.
    const seeded = await withKernelHandle({ paths, env, cwd, scope: { plugins: ["workspace"] }, logToFiles: false }, (kernel) => kernel.service(workspaceRef).init());
    result.created.push(...seeded.created);
    if (result.created.length === 0) {
      out(`Workspace at ${result.root} is already complete; nothing changed.\n`);
    } else {
      out(`Workspace at ${result.root}:\n${result.created.map((c) => `  created ${c}`).join("\n")}\n`);
    }
    return 0;
  },
};

/** The vault key the gateway plugin authenticates clients with (docs/gateway.md). */
const GATEWAY_TOKEN_KEY = "gateway-token";

/**
 * A fresh workspace gets the gateway's token now, so the gateway (on by default, auth required)
 * never starts without one and `aleph gateway token` has something to print. Never replaced.
 */
async function seedGatewayToken(credentialsDir: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  if (await keyInfo(credentialsDir, GATEWAY_TOKEN_KEY)) return false;
  await writeKey(credentialsDir, GATEWAY_TOKEN_KEY, randomBytes(32).toString("base64url"), env[VAULT_PASSPHRASE_ENV] || undefined);
  return true;
}
