/*
 * Where a scaffolded plugin project gets the @aleph packages from. Published: semver ranges from
 * the npm registry. Local (until the packages are on the registry, and whenever the CLI runs from
 * an Aleph checkout): tarballs packed from the checkout into the project's own `aleph-packages/`
 * directory, linked as `file:` specs, with npm `overrides` so the packages' dependencies on each
 * other (the test kit needs the kernel and the Node loader, which need the SDK) resolve to the same tarballs.
 */

/** The packages a plugin project may need, all published from packages/ of the checkout. */
export const PUBLIC_PACKAGES = ["@aleph/plugin-sdk", "@aleph/testing", "@aleph/kernel", "@aleph/node-host", "@aleph/wasm-host", "@aleph/wasm-pdk"] as const;
export type PublicPackage = (typeof PUBLIC_PACKAGES)[number];

/** The directory of a project that holds the packed tarballs. */
export const LOCAL_PACKAGES_DIR = "aleph-packages";

/** The @aleph packages of one project: those it names, and those they bring (its closure). */
export interface ProjectPackages {
  dependencies: PublicPackage[];
  devDependencies: PublicPackage[];
  /** Every @aleph package installed, the direct ones included. */
  closure: PublicPackage[];
}

/** Each package's version, and where it comes from: the npm registry, or tarballs in aleph-packages/. */
export interface AlephPackageSource {
  source: "registry" | "local";
  versions: Record<PublicPackage, string>;
}

/** The tarball name `pnpm pack` gives a package: `@aleph/plugin-sdk` 0.1.0 → aleph-plugin-sdk-0.1.0.tgz. */
export function tarballName(name: PublicPackage, version: string): string {
  return `${name.replace(/^@/, "").replace("/", "-")}-${version}.tgz`;
}

/** `^0.1.0`, or `file:aleph-packages/aleph-kernel-0.1.0.tgz`. */
export function specOf(from: AlephPackageSource, name: PublicPackage): string {
  return from.source === "registry" ? `^${from.versions[name]}` : `file:${LOCAL_PACKAGES_DIR}/${tarballName(name, from.versions[name])}`;
}

/**
 * The package.json fields naming @aleph packages: the direct ones, and (for local tarballs)
 * `overrides` for the whole closure — a direct one overridden by reference (`$name`), as npm
 * requires of a package the project also depends on.
 */
export function alephDependencies(
  from: AlephPackageSource,
  project: ProjectPackages,
): { dependencies: Record<string, string>; devDependencies: Record<string, string>; overrides?: Record<string, string> } {
  const pick = (names: PublicPackage[]) => Object.fromEntries(names.map((name) => [name, specOf(from, name)]));
  const result = { dependencies: pick(project.dependencies), devDependencies: pick(project.devDependencies) };
  if (from.source === "registry") return result;
  const direct = new Set<string>([...project.dependencies, ...project.devDependencies]);
  return { ...result, overrides: Object.fromEntries(project.closure.map((name) => [name, direct.has(name) ? `$${name}` : specOf(from, name)])) };
}

/** The @aleph fields of package.json with the build tools added to devDependencies. */
export function withTools<T extends { devDependencies: Record<string, string> }>(fields: T, tools: Record<string, string>): T {
  return { ...fields, devDependencies: { ...fields.devDependencies, ...tools } };
}

/** The README section saying where the @aleph packages come from and the one line that switches to the registry. */
export function packagesReadme(from: AlephPackageSource, project: ProjectPackages): string {
  if (from.source === "registry") return "";
  const ranges = (names: PublicPackage[]) => names.map((name) => `${name}@^${from.versions[name]}`).join(" ");
  const install = [
    project.dependencies.length > 0 ? `npm install ${ranges(project.dependencies)}` : "",
    project.devDependencies.length > 0 ? `npm install -D ${ranges(project.devDependencies)}` : "",
  ].filter(Boolean);
  return `
## Where the @aleph packages come from

\`aleph plugins new\` ran from an Aleph checkout, so this project installs that checkout's packages:
\`${LOCAL_PACKAGES_DIR}/\` holds them as tarballs (packed with \`pnpm pack\` when the project was
created), \`package.json\` links them as \`file:\` dependencies, and its \`overrides\` make the
packages' dependencies on each other use the same tarballs. Keep \`${LOCAL_PACKAGES_DIR}/\` with the
project (commit it): \`npm install\` reads it.

To use the packages published on the npm registry instead, run this one line in the project:

\`\`\`sh
npm pkg delete overrides && ${install.join(" && ")} && rm -r ${LOCAL_PACKAGES_DIR}
\`\`\`
`;
}
