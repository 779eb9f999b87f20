import { json, providersRef, type CommandInput } from "@aleph/plugin-sdk/core";

/** `aleph providers test <name> [--json]`: one tiny request, timed; exit 1 when it fails. */
export async function providersTest(cmd: CommandInput): Promise<number> {
  const name = String(cmd.args.name);
  const result = await cmd.kernel.service(providersRef).test(name);
  if (cmd.options.json === true) {
    cmd.out(json(result));
    return result.ok ? 0 : 1;
  }
  if (result.ok) {
    const details = [
      ...(result.firstTokenMs !== undefined ? [`first token ${result.firstTokenMs} ms`] : []),
      ...(result.usage ? [`${result.usage.inputTokens} tokens in, ${result.usage.outputTokens} out`] : []),
    ];
    cmd.out(`ok: ${name} (${result.model}) answered in ${result.totalMs} ms${details.length ? ` (${details.join("; ")})` : ""}: ${JSON.stringify(result.text ?? "")}\n`);
    return 0;
  }
  const e = result.error;
  cmd.err(`aleph: ${name} failed after ${result.totalMs} ms: ${e ? `${e.code}${e.status ? ` (HTTP ${e.status})` : ""}: ${e.message}${e.fix ? `\n  fix: ${e.fix}` : ""}` : "no answer"}\n`);
  return 1;
}
