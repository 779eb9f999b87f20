import { DEFAULT_SOUL } from "./default-soul.js";
import { DEFAULT_SOUL_LABEL, loadLayers, type IdentityLayerOptions, type LoadedLayer } from "./layers.js";
import { parseSoul } from "./parse-soul.js";
import { sectionKey } from "./sections.js";
import type { IdentityLayerReport, IdentityResolution, ResolvedSection, ResolvedValue } from "./types.js";

/**
 * The render order every resolution starts from: the preamble, then the built-in default's
 * sections (Identity, Directives, Anti-Patterns). Taken from the built-in text, not from a
 * replacement default, so the familiar order holds whatever a host passes as its default.
 */
const BASE_ORDER: readonly string[] = ["", ...parseSoul(DEFAULT_SOUL, DEFAULT_SOUL_LABEL).sections.map(sectionKey)];

/**
 * Merges layers given highest first. Frontmatter resolves key by key and the body section by
 * section: the highest usable layer that has a key (a section) gives it, with its source. A
 * layer with an error contributes nothing, so the layers below fill in. What a winner says is
 * kept as is: a key set to null, or a heading with nothing under it, wins too, which is how a
 * higher layer clears what a lower one sets (renderSoul leaves both out).
 *
 * The preamble (text before the first heading) layers like a section whose title is "": the
 * highest layer with preamble text replaces the others' preambles. A layer with no text before
 * its first heading has no preamble, so it does not clear a lower one (nothing distinguishes
 * "no preamble" from "clear the preamble" in a file; a blank line is not an intent).
 */
export function mergeLayers(layers: readonly LoadedLayer[]): IdentityResolution {
  const frontmatter: Record<string, ResolvedValue> = Object.create(null);
  const winners = new Map<string, ResolvedSection>();
  const order = [...BASE_ORDER];
  for (const { layer, path, soul } of layers) {
    if (!soul) continue;
    for (const [key, entry] of Object.entries(soul.frontmatter)) {
      if (key in frontmatter) continue;
      const value = Array.isArray(entry.value) ? [...entry.value] : entry.value;
      frontmatter[key] = { value, source: { layer, path, line: entry.line } };
    }
    for (const section of soul.sections) {
      const key = sectionKey(section);
      if (winners.has(key)) continue;
      winners.set(key, { title: section.title, level: section.level, body: section.body, source: { layer, path, line: section.line } });
      if (!order.includes(key)) order.push(key);
    }
  }
  const reports: IdentityLayerReport[] = layers.map(({ layer, path, present, error }) => (error ? { layer, path, present, error } : { layer, path, present }));
  return {
    frontmatter,
    sections: order.flatMap((key) => winners.get(key) ?? []),
    layers: reports,
    errors: layers.flatMap((l) => (l.error ? [l.error] : [])),
  };
}

/**
 * Resolves the identity for a session: reads the five layers and merges them with provenance.
 * Never throws because of a file or an override; the only throw is ALEPH_E_INVALID_ID for an
 * agent id that is not a safe path segment.
 */
export async function resolveIdentity(options: IdentityLayerOptions): Promise<IdentityResolution> {
  return mergeLayers(await loadLayers(options));
}
