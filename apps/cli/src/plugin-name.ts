import { AlephError, explainInvalidId, PLUGIN_ID_RULE } from "@aleph/plugin-sdk";

/**
 * The nearest valid plugin id to a name: lowercased, every run of other characters turned into
 * one "-", trimmed to 64 characters ("Bad_Name" → "bad-name").
 */
export function suggestPluginId(name: string): string {
  const id = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+/, "")
    .slice(0, PLUGIN_ID_RULE.maxLength)
    .replace(/-+$/, "");
  return id === "" ? "my-plugin" : id;
}

/**
 * The name given to `aleph plugins new` becomes the project directory, the npm package name and
 * the manifest id at once, so it must be a plugin id: one rule, stated in the error with a valid
 * name to use instead.
 */
export function pluginIdFromName(name: string): string {
  const problem = explainInvalidId("plugin name", name, PLUGIN_ID_RULE);
  if (problem === undefined) return name;
  const suggestion = suggestPluginId(name);
  throw new AlephError("ALEPH_E_INVALID_ID", `${problem}: the name becomes the directory, the package name and the plugin id, so it must be a plugin id`, {
    fix: `use ${PLUGIN_ID_RULE.allowed}, at most ${PLUGIN_ID_RULE.maxLength} characters — e.g. \`aleph plugins new ${suggestion}\``,
  });
}
