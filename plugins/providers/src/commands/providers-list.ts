import { json, providersRef, table, type CommandInput } from "@aleph/plugin-sdk/core";

/** `aleph providers list [--json]`: never a key, only where it comes from. */
export async function providersList(cmd: CommandInput): Promise<number> {
  const list = await cmd.kernel.service(providersRef).list();
  if (cmd.options.json === true) cmd.out(json(list));
  else if (list.length === 0) cmd.out("No providers. Add one to providers.toml: [providers.<name>] protocol, model, api_key (see `aleph providers --help`).\n");
  else {
    const rows = list.map((p) => [p.name, p.protocol, p.model ?? "-", p.enabled ? "yes" : "no", p.keySource, p.coolingDownUntil ? `cooling down until ${new Date(p.coolingDownUntil).toISOString()}` : ""]);
    cmd.out(table([["NAME", "PROTOCOL", "MODEL", "ENABLED", "KEY", ""], ...rows]));
  }
  return 0;
}
