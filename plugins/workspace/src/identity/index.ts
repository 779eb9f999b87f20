/**
 * Identity: soul files layered session > project > agent > global > built-in default, merged
 * key by key and section by section, each value with its source.
 */
export { resolveIdentity, mergeLayers } from "./resolve-identity.js";
export { parseSoul } from "./parse-soul.js";
export { renderSoul } from "./render-soul.js";
export { SOUL_TEMPLATE, DEFAULT_SOUL } from "./default-soul.js";
export { MAX_SOUL_BYTES } from "./read-soul-file.js";
export { findProjectSoul, PROJECT_SOUL, type IdentityLayerOptions, type LoadedLayer } from "./layers.js";
export {
  IDENTITY_LAYERS,
  type IdentityLayerName,
  type IdentityResolution,
  type IdentityLayerReport,
  type IdentityIssue,
  type ResolvedValue,
  type ResolvedSection,
  type SoulSource,
  type SoulValue,
  type SoulScalar,
  type ParsedSoul,
  type SoulSection,
  type FrontmatterEntry,
} from "./types.js";
