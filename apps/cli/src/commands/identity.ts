import type { IdentityResolution } from "@aleph/plugin-sdk";
import { resolvePaths } from "@aleph/kernel";
import type { Command } from "../command.js";
import { json } from "../output.js";
import { callService } from "../service-call.js";

export const identityShowCommand: Command = {
  name: "identity show",
  summary: "Show the agent's resolved soul (session > project > agent > global > default)",
  details: "--explain names the layer, file and line every key and section comes from, and each layer's state.",
  options: {
    agent: { type: "string", value: "id", description: "The agent (default: main)" },
    explain: { type: "boolean", description: "Show where each value comes from" },
    json: { type: "boolean", description: "Print the resolution as JSON (values with their sources)" },
  },
  async run({ options, env, cwd, out }) {
    const paths = resolvePaths({ env, cwd });
    const query = { agentId: typeof options.agent === "string" ? options.agent : "main", cwd };
    if (options.json || options.explain) {
      const resolution = await callService<IdentityResolution>(paths, env, cwd, { service: "identity", method: "resolve", args: [query] });
      if (options.json) {
        out(json(resolution));
        return 0;
      }
      const where = (s: { layer: string; path: string; line: number }) => `${s.layer} ${s.path}:${s.line}`;
      out("Keys\n");
      for (const [key, v] of Object.entries(resolution.frontmatter)) out(`  ${key} = ${JSON.stringify(v.value)}  ← ${where(v.source)}\n`);
      out("Sections\n");
      for (const s of resolution.sections) out(`  ${s.title === "" ? "(preamble)" : `${"#".repeat(s.level)} ${s.title}`}  ← ${where(s.source)}\n`);
      out("Layers\n");
      for (const l of resolution.layers) out(`  ${l.layer.padEnd(8)} ${l.present ? "present" : "absent "} ${l.path}${l.error ? `  ✗ ${l.error.code}: ${l.error.message}` : ""}\n`);
      return 0;
    }
    out(await callService<string>(paths, env, cwd, { service: "identity", method: "render", args: [query] }));
    return 0;
  },
};
