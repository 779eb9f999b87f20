import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { AlephError, writeFileAtomic } from "@aleph/plugin-sdk";
import { NAME_PATTERN, NAME_RULE } from "./format/parse-skill.js";
import { SKILL_FILE } from "./discovery/scan-root.js";

/* `aleph skills new <name>`: a folder with a SKILL.md that passes `skills check`, to fill in. */

export function skeleton(name: string, description?: string): string {
  const said = description?.trim() || `TODO: what ${name} does, and when to use it (the agent decides from this line).`;
  return [
    "---",
    `name: ${name}`,
    `description: ${JSON.stringify(said)}`,
    "# license: Apache-2.0",
    "# compatibility: needs git and network access",
    "# metadata:",
    "#   author: you",
    "# Aleph only (skills check --strict warns about these when sharing):",
    "# requires:",
    "#   bins: [git]",
    "#   env: [GITHUB_TOKEN]",
    "# user-invocable: true   # a user can run it as /" + name,
    "---",
    "",
    `# ${name}`,
    "",
    "## When to use",
    "",
    "Describe the situations this skill is for.",
    "",
    "## Steps",
    "",
    "1. The first thing to do.",
    "2. The next one.",
    "",
    "Longer material goes in references/ (read with skill_read {name, file}); scripts in scripts/.",
    "",
  ].join("\n");
}

/** Creates `<parent>/<name>/SKILL.md`; refuses a bad name or an existing folder. */
export async function createSkill(parent: string, name: string, description?: string): Promise<string> {
  if (name.length > 64 || !NAME_PATTERN.test(name)) throw new AlephError("ALEPH_E_USAGE", `"${name}" is not a skill name`, { fix: `use ${NAME_RULE}` });
  const dir = join(parent, name);
  if (existsSync(dir)) throw new AlephError("ALEPH_E_DUPLICATE", `${dir} exists already`, { fix: "pick another name, or edit its SKILL.md" });
  await mkdir(dir, { recursive: true });
  const file = join(dir, SKILL_FILE);
  await writeFileAtomic(file, skeleton(name, description));
  return file;
}
