// Builds the control page into dist/: index.html + assets/app-<hash>.js + assets/app-<hash>.css
// (+ the icon). Hashed names let the gateway serve /assets/* as immutable. The shipped JavaScript
// must stay under BUDGET gzipped: the build measures it and fails when it is over.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const BUDGET = 150 * 1024;
const here = fileURLToPath(new URL(".", import.meta.url));
const dist = `${here}dist`;
const assets = `${dist}/assets`;

rmSync(dist, { recursive: true, force: true });
mkdirSync(assets, { recursive: true });

const result = await build({
  absWorkingDir: here,
  entryPoints: { app: "src/main.tsx" },
  outdir: assets,
  entryNames: "[name]-[hash]",
  bundle: true,
  minify: true,
  format: "esm",
  target: ["es2022", "chrome111", "firefox115", "safari16"],
  platform: "browser",
  jsx: "automatic",
  jsxImportSource: "preact",
  legalComments: "none",
  sourcemap: false,
  metafile: true,
  logLevel: "warning",
});

const outputs = Object.keys(result.metafile.outputs);
const jsFile = outputs.find((f) => f.endsWith(".js"));
const cssFile = outputs.find((f) => f.endsWith(".css"));
if (!jsFile || !cssFile) throw new Error(`esbuild did not write both the script and the stylesheet: ${outputs.join(", ")}`);

const icon = readFileSync(`${here}src/icon.svg`);
const iconName = `icon-${createHash("sha256").update(icon).digest("hex").slice(0, 8)}.svg`;
writeFileSync(`${assets}/${iconName}`, icon);

const html = readFileSync(`${here}index.html`, "utf8").replace("%JS%", basename(jsFile)).replace("%CSS%", basename(cssFile)).replace("%ICON%", iconName);
writeFileSync(`${dist}/index.html`, html);

const js = readFileSync(`${here}${jsFile}`);
const css = readFileSync(`${here}${cssFile}`);
const jsGzip = gzipSync(js, { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
console.log(`control page: ${basename(jsFile)} ${kb(js.length)} (${kb(jsGzip)} gzipped, budget ${kb(BUDGET)}); ${basename(cssFile)} ${kb(css.length)} (${kb(gzipSync(css, { level: 9 }).length)} gzipped)`);
if (jsGzip > BUDGET) {
  console.error(`control page: the JavaScript is ${kb(jsGzip)} gzipped, over the ${kb(BUDGET)} budget (issue 16): trim a dependency or a view`);
  process.exit(1);
}
