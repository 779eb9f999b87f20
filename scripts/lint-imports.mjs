// Checks the import rules of ARCHITECTURE §1 for the package in the working directory:
//   plugins/*        import only the author kits of the @aleph packages — @aleph/plugin-sdk,
//                    @aleph/zod (zod as one shared module; bundled plugins write their schemas with
//                    @aleph/zod/mini) and @aleph/wasm-pdk for WASM plugins; their test/ also
//                    @aleph/testing — never the kernel or another plugin
//   packages/kernel  imports no plugin and no app; of the @aleph packages only the SDK (its tests
//                    also @aleph/node-host, the Node loader the CLI passes in)
//   packages/plugin-sdk imports no other @aleph package (its deprecated /testing entry finds
//                    @aleph/testing at run time)
// Every import and export-from specifier in src/, test/ and assembly/ (TypeScript, AssemblyScript
// and JavaScript) is read.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";

const cwd = process.cwd();
const repo = join(import.meta.dirname, "..");
const where = relative(repo, cwd).split(sep).join("/");
const ownName = JSON.parse(readFileSync(join(cwd, "package.json"), "utf8")).name;

function allowed(specifier, file) {
  if (!specifier.startsWith("@aleph/")) return true;
  const pkg = specifier.split("/").slice(0, 2).join("/");
  if (pkg === ownName) return true;
  if (where.startsWith("plugins/")) {
    const inTests = relative(cwd, file).split(sep)[0] === "test";
    return pkg === "@aleph/plugin-sdk" || pkg === "@aleph/zod" || pkg === "@aleph/wasm-pdk" || (inTests && pkg === "@aleph/testing");
  }
  // The kernel's own tests wire in the Node loader, as the CLI does.
  if (where === "packages/kernel") return pkg === "@aleph/plugin-sdk" || (/\.test\.ts$/.test(file) && pkg === "@aleph/node-host");
  if (where === "packages/plugin-sdk") return false;
  return true; // apps, tests and benches wire things together
}

function files(dir) {
  let out = [];
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    if (name === "node_modules" || name === "dist") continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out = out.concat(files(path));
    else if (/\.(ts|mts|js|mjs)$/.test(name)) out.push(path);
  }
  return out;
}

const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|^\s*import\s*["']([^"']+)["']/gm;
const problems = [];
for (const file of ["src", "test", "assembly"].flatMap((d) => files(join(cwd, d)))) {
  const text = readFileSync(file, "utf8");
  for (const match of text.matchAll(IMPORT)) {
    const specifier = match[1] ?? match[2] ?? match[3];
    if (!allowed(specifier, file)) {
      const line = text.slice(0, match.index).split("\n").length + (match[0].startsWith("\n") ? 1 : 0);
      problems.push(`${relative(repo, file)}:${line}: ${where} must not import ${specifier} (ARCHITECTURE §1: plugins talk through services and events)`);
    }
  }
}
if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log(`lint: import rules hold in ${where}`);
