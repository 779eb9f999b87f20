// Adds up the vitest JSON reports that every package writes (.vitest-results.json) and prints
// one closing line, "tests: N passed, N failed", so CI can read the whole run at a glance.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const roots = ["packages", "apps", "plugins", "test"];
const reports = [];
function walk(dir, depth) {
  if (depth > 3) return;
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of entries) {
    if (name === "node_modules" || name === "dist") continue;
    const path = join(dir, name);
    if (name === ".vitest-results.json") reports.push(path);
    else if (statSync(path).isDirectory()) walk(path, depth + 1);
  }
}
for (const root of roots) walk(root, 0);
let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of reports) {
  const report = JSON.parse(readFileSync(file, "utf8"));
  passed += report.numPassedTests ?? 0;
  failed += report.numFailedTests ?? 0;
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
}
console.log(`\n${reports.length} test reports`);
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
if (reports.length === 0 || passed === 0) {
  console.error("no tests ran");
  process.exit(1);
}
process.exit(failed > 0 ? 1 : 0);
