import { existsSync } from "node:fs";
import { join } from "node:path";
import { isAlephError, mkdirPrivateSync, workspaceRef, type DoctorFinding, type DoctorInput } from "@aleph/plugin-sdk";
import { AGENTS_DIR } from "./agents/agent-id.js";

/*
 * The workspace plugin's `aleph doctor` checks (`[plugin] doctor = true`): agents/ and every
 * declared agent's workspace (required files, runtime directories). --fix creates agents/ and
 * seeds what is missing; seeding only creates, so a file the user edited is never touched.
 */

const CHECK = "agents";

export async function workspaceDoctor({ kernel, paths, fix }: DoctorInput): Promise<DoctorFinding[]> {
  // No root: doctor's tree check already says to run `aleph init`, and a kernel started here would create it.
  if (!existsSync(paths.root)) return [];
  const findings: DoctorFinding[] = [];
  const agentsDir = join(paths.root, AGENTS_DIR);
  if (!existsSync(agentsDir)) {
    if (fix) {
      mkdirPrivateSync(agentsDir);
      findings.push({ check: "tree", ok: true, message: "present", path: agentsDir, fixed: `created ${agentsDir}` });
    } else findings.push({ check: "tree", ok: false, message: "missing directory", path: agentsDir, fix: "`aleph doctor --fix` (or `aleph init`) creates it" });
  }
  const workspace = kernel.service(workspaceRef);
  let agents;
  try {
    agents = await workspace.agents();
  } catch (error) {
    // A config.toml that does not load is doctor's config check's finding; the agents cannot be known then.
    if (isAlephError(error) && error.code === "ALEPH_E_CONFIG") return findings;
    throw error;
  }
  for (const agent of agents) {
    let problems = await workspace.check(agent.id);
    if (fix && problems.length > 0) {
      for (const path of (await workspace.seed(agent.id)).created) findings.push({ check: CHECK, ok: true, message: `${agent.id}: seeded`, path, fixed: `created ${path}` });
      problems = await workspace.check(agent.id);
    }
    if (problems.length === 0) findings.push({ check: CHECK, ok: true, message: `${agent.id}: workspace complete`, path: agent.workspaceDir });
    for (const p of problems) findings.push({ check: CHECK, ok: false, message: `${agent.id}: ${p.message}`, path: p.path, ...(p.fix ? { fix: p.fix } : {}) });
  }
  return findings;
}
