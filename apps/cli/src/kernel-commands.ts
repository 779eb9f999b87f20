import type { Command } from "./command.js";

/**
 * The kernel's own commands, as `aleph --help` lists them. Each module is imported only when its
 * command runs (or shows its help), so listing stays fast; kernel-commands.test.ts checks that
 * every line here matches its module.
 */
export interface KernelCommandEntry {
  name: string;
  args?: string;
  summary: string;
  load: () => Promise<Command>;
}

export const KERNEL_COMMANDS: KernelCommandEntry[] = [
  { name: "init", summary: "Create the workspace (state root); never overwrites an existing file", load: async () => (await import("./commands/init.js")).initCommand },
  { name: "start", summary: "Boot the kernel, load plugins, watch for changes; serve until SIGINT/SIGTERM", load: async () => (await import("./commands/start.js")).startCommand },
  { name: "status", summary: "Show the running kernel's plugins (with import and setup time) and services", load: async () => (await import("./commands/status.js")).statusCommand },
  { name: "plugins list", summary: "List every discovered plugin with its source and status", load: async () => (await import("./commands/plugins.js")).pluginsListCommand },
  { name: "plugins inspect", args: "<id>", summary: "Show one plugin: manifest facts, status, error and fix, bound services", load: async () => (await import("./commands/plugins.js")).pluginsInspectCommand },
  { name: "plugins enable", args: "<id>", summary: "Let a plugin load again: remove it from [extensions] disabled and lift its quarantine", load: async () => (await import("./commands/plugins-enable.js")).pluginsEnableCommand },
  { name: "plugins disable", args: "<id>", summary: "Keep a plugin from loading: add it to [extensions] disabled (a running kernel unloads it)", load: async () => (await import("./commands/plugins-enable.js")).pluginsDisableCommand },
  { name: "plugins new", args: "<name>", summary: "Create a plugin project (TypeScript; --wasm for AssemblyScript) that builds with npm", load: async () => (await import("./commands/plugins-new.js")).pluginsNewCommand },
  { name: "config check", summary: "Validate config.toml and providers.toml; exit 1 if invalid", load: async () => (await import("./commands/config.js")).configCheckCommand },
  { name: "config schema", summary: "Print the JSON Schema of config.toml: the kernel's sections and every plugin's that ships one", load: async () => (await import("./commands/config.js")).configSchemaCommand },
  { name: "services list", summary: "List the services plugins provide, who provides each and which is bound", load: async () => (await import("./commands/services.js")).servicesListCommand },
  { name: "services call", args: "<service> <method> [<json-args>]", summary: "Call a service method with a JSON array of arguments and print the JSON result", load: async () => (await import("./commands/services.js")).servicesCallCommand },
  { name: "events emit", args: "<name> [<json-payload>]", summary: "Emit an event on the running kernel's bus", load: async () => (await import("./commands/events.js")).eventsEmitCommand },
  { name: "events tail", summary: "Print the running kernel's events as they happen, one JSON line each", load: async () => (await import("./commands/events.js")).eventsTailCommand },
  { name: "keys set", args: "<name>", summary: "Store a secret in the keys vault (from stdin, or typed at a hidden prompt; never from argv)", load: async () => (await import("./commands/keys.js")).keysSetCommand },
  { name: "keys get", args: "<name>", summary: "Print a key's value to stdout", load: async () => (await import("./commands/keys.js")).keysGetCommand },
  { name: "keys list", summary: "List the keys in the vault (names and whether each is encrypted; never values)", load: async () => (await import("./commands/keys.js")).keysListCommand },
  { name: "keys rm", args: "<name>", summary: "Remove a key from the vault", load: async () => (await import("./commands/keys.js")).keysRmCommand },
  { name: "doctor", summary: "Check the workspace: tree, config, permissions, plugins, agents, databases; exit 1 on problems", load: async () => (await import("./commands/doctor.js")).doctorCommand },
];
