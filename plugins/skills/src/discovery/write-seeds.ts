import { readFile, writeFile } from "node:fs/promises";
import { parseSkill } from "../format/parse-skill.js";
import { seedFileText } from "./bundled-seeds.js";
import { scanRoot } from "./scan-root.js";

/** The build step: parses the bundled skills in `skillsDir` and writes their seeds to `out`. */
export async function writeBundledSeeds(skillsDir: string, out: string): Promise<number> {
  const parsed = [];
  for (const found of scanRoot({ source: "bundled", dir: skillsDir })) {
    const text = await readFile(found.file, "utf8");
    const result = await parseSkill(text, { file: found.file, folder: found.folder });
    // A shipped skill that does not parse is a build error, not something to find at a user's start.
    if (!result.ok) throw new Error(`bundled skill ${found.file} is invalid: ${result.errors.map((e) => `${e.line ?? ""} ${e.message}`).join("; ")}`);
    parsed.push({ folder: found.folder, text, result });
  }
  await writeFile(out, seedFileText(parsed));
  return parsed.length;
}
