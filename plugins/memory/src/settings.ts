/*
 * Small facts about the [memory] settings that both the plugin's light entry and its runtime use,
 * kept free of imports so neither pulls the other's code in.
 */

/** What `[memory] auto_extract` asks for: `true` means the rules. */
export function autoExtractMode(setting: boolean | "rules" | "llm"): "rules" | "llm" | false {
  return setting === true ? "rules" : setting;
}

/** The daily notes' directory in an agent's workspace (memory/YYYY-MM-DD.md). */
export const NOTES_DIR = "memory";
