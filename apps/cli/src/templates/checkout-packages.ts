import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { PUBLIC_PACKAGES, tarballName, type PublicPackage } from "./aleph-packages.js";

/*
 * The @aleph packages of the Aleph checkout this CLI runs from, packed for a plugin project.
 * `pnpm pack` makes the tarballs because it rewrites `workspace:` ranges into real ones, as
 * publishing does (`npm pack` would leave them, and npm cannot install them).
 */

/** The checkout the CLI file belongs to (a directory with pnpm-workspace.yaml and packages/plugin-sdk), if any. */
export function checkoutOf(cliFile: string): string | undefined {
  let dir = dirname(cliFile);
  for (let up = 0; up < 5; up++) {
    if (existsSync(join(dir, "pnpm-workspace.yaml")) && existsSync(join(dir, "packages", "plugin-sdk", "package.json"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

interface CheckoutPackage {
  dir: string;
  version: string;
  /** The file the package's `main` names: present once the package is built. */
  main: string;
}

/** The public packages of a checkout, by name, read from packages/<dir>/package.json. */
export function checkoutPackages(checkout: string): Record<PublicPackage, CheckoutPackage> {
  const found = new Map<string, CheckoutPackage>();
  const packagesDir = join(checkout, "packages");
  for (const entry of readdirSync(packagesDir)) {
    const file = join(packagesDir, entry, "package.json");
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string; main?: string };
    if (manifest.name && manifest.version) found.set(manifest.name, { dir: join(packagesDir, entry), version: manifest.version, main: join(packagesDir, entry, manifest.main ?? "index.js") });
  }
  const missing = PUBLIC_PACKAGES.filter((name) => !found.has(name));
  if (missing.length > 0) throw new Error(`${checkout} has no ${missing.join(", ")} under packages/: update the checkout (git pull) and run pnpm install`);
  return Object.fromEntries(PUBLIC_PACKAGES.map((name) => [name, found.get(name)!])) as Record<PublicPackage, CheckoutPackage>;
}

/** How to run pnpm: the one running us (`pnpm aleph …`), one on PATH, else the checkout's pinned version through npx. */
function pnpmCommand(checkout: string): string[] {
  const running = process.env.npm_execpath;
  if (running && /^pnpm(\.c?js)?$/.test(basename(running)) && existsSync(running)) return running.endsWith("js") ? [process.execPath, running] : [running];
  if (spawnSync("pnpm", ["--version"], { stdio: "ignore" }).status === 0) return ["pnpm"];
  const pinned = (JSON.parse(readFileSync(join(checkout, "package.json"), "utf8")) as { packageManager?: string }).packageManager;
  return ["npx", "-y", pinned?.startsWith("pnpm@") ? pinned.split("+")[0]! : "pnpm@10"];
}

/**
 * Packs the named packages of the checkout into `destination` with `pnpm pack` and returns the
 * tarball file names. Refuses a package that is not built (its tarball would hold no code).
 */
export function packCheckoutPackages(checkout: string, names: PublicPackage[], destination: string): string[] {
  const packages = checkoutPackages(checkout);
  const unbuilt = names.filter((name) => !existsSync(packages[name].main));
  if (unbuilt.length > 0) {
    const files = unbuilt.map((name) => packages[name].main).join(", ");
    throw new Error(`${unbuilt.join(", ")} in ${checkout} ${unbuilt.length === 1 ? "is" : "are"} not built (no ${files}): run \`pnpm build\` there, then create the plugin again`);
  }
  const [command, ...prefix] = pnpmCommand(checkout);
  const filters = names.flatMap((name) => ["--filter", name]);
  const packed = spawnSync(command!, [...prefix, "--recursive", ...filters, "pack", "--pack-destination", destination], { cwd: checkout, encoding: "utf8" });
  const expected = names.map((name) => tarballName(name, packages[name].version));
  const absent = expected.filter((file) => !existsSync(join(destination, file)));
  if (packed.status !== 0 || absent.length > 0) {
    const why = packed.error ? packed.error.message : `${(packed.stderr || packed.stdout || "").trim().split("\n").slice(-5).join("\n")}`;
    throw new Error(
      `packing ${names.join(", ")} from ${checkout} with \`${[command, ...prefix].join(" ")} pack\` failed${absent.length > 0 ? ` (no ${absent.join(", ")})` : ""}: ${why}\n` +
        "Check that pnpm runs in the checkout (`pnpm --version` there; `corepack enable` or `npm install -g pnpm` installs it).",
    );
  }
  return expected;
}

/** Each public package's version in the checkout. */
export function checkoutVersions(checkout: string): Record<PublicPackage, string> {
  const packages = checkoutPackages(checkout);
  return Object.fromEntries(PUBLIC_PACKAGES.map((name) => [name, packages[name].version])) as Record<PublicPackage, string>;
}
