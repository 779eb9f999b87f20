import { readFileSync } from "node:fs";
import { discoverPlugins, manifestDigest } from "@aleph/kernel";
import { BUNDLED_PACKAGES, bundledPlugins, type ShippedManifest } from "./bundled.js";

/*
 * Prints the bundled plugins' manifests, parsed and validated by this build's kernel, as JSON. The
 * build ships the result as dist/bundled-manifests.json (tsup.config.ts), so a start does not parse
 * and validate them again: each is used while its aleph_plugin.toml still hashes the same
 * (discovery.ts PrevalidatedPlugin). A manifest that does not validate is left out, and the
 * kernel reports it at every start as it would any broken manifest.
 */
const dirs = bundledPlugins();
const found = discoverPlugins([], dirs);
const shipped: ShippedManifest[] = [];
BUNDLED_PACKAGES.forEach((name, i) => {
  const candidate = [...found.winners.values()].find((c) => c.dir === dirs[i]);
  if (!candidate?.manifest) {
    process.stderr.write(`print-bundled-manifests: ${name}'s manifest is not valid; it is left out (${candidate?.error?.message ?? "not found"})\n`);
    return;
  }
  shipped.push({ package: name, manifestSha256: manifestDigest(readFileSync(candidate.manifestFile, "utf8")), manifest: candidate.manifest });
});
process.stdout.write(`${JSON.stringify(shipped)}\n`);
