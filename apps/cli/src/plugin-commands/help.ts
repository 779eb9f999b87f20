import type { CommandDeclaration, CommandOptionDeclaration } from "@aleph/plugin-sdk/core";

/** `<key>`, `[<name>]`, `<files>...`: how an argument shows in a usage line. */
export function argsUsage(declaration: Pick<CommandDeclaration, "args">): string {
  return declaration.args
    .map((arg) => {
      const word = `<${arg.name}>${arg.variadic ? "..." : ""}`;
      return arg.required ? word : `[${word}]`;
    })
    .join(" ");
}

function flagOf(option: CommandOptionDeclaration): string {
  const placeholder = option.value ?? (option.choices ? option.choices.join("|") : option.type === "integer" || option.type === "number" ? "N" : "value");
  return `${option.short ? `-${option.short}, ` : "    "}--${option.name}${option.type === "boolean" ? "" : ` <${placeholder}>`}`;
}

function optionText(option: CommandOptionDeclaration): string {
  const notes: string[] = [];
  if (option.required) notes.push("required");
  if (option.default !== undefined && option.type !== "boolean" && !(option.summary ?? "").includes("default")) notes.push(`default ${option.default}`);
  return `${option.summary ?? ""}${notes.length > 0 ? ` (${notes.join(", ")})` : ""}`;
}

/** `aleph <command> --help` for a plugin's command, from its declaration alone. */
export function pluginCommandHelp(declaration: CommandDeclaration, plugin: { id: string; source: string }): string {
  const args = argsUsage(declaration);
  const lines = [`Usage: aleph ${declaration.name}${args ? ` ${args}` : ""}${declaration.options.length > 0 ? " [options]" : ""}`, "", declaration.summary];
  if (declaration.details) lines.push("", declaration.details.trimEnd());
  const described = declaration.args.filter((arg) => arg.summary);
  if (described.length > 0) {
    lines.push("", "Arguments:");
    for (const arg of described) lines.push(`  ${`<${arg.name}>`.padEnd(28)}${arg.summary}`);
  }
  lines.push("", "Options:");
  for (const option of declaration.options) {
    const flag = flagOf(option);
    lines.push(`  ${flag.padEnd(28)}${flag.length >= 28 ? `\n  ${" ".repeat(28)}` : ""}${optionText(option)}`);
  }
  lines.push(`  ${"-h, --help".padEnd(28)}Show this help`);
  lines.push("", `From the "${plugin.id}" plugin (${plugin.source}).`);
  return lines.join("\n") + "\n";
}
