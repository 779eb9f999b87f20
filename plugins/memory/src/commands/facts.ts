import { json, plural, printable, type CommandInput } from "@aleph/plugin-sdk";
import { agentOption, factLine, filterOptions, memoryOf, tagsOption, textArg } from "./support.js";

/* `aleph memory add|search|forget|list|pin|stats`. */

export async function addCommand(cmd: CommandInput): Promise<number> {
  const tags = tagsOption(cmd);
  const result = await memoryOf(cmd).add({
    agentId: agentOption(cmd),
    text: textArg(cmd, "text"),
    source: "cli",
    ...(typeof cmd.options.scope === "string" ? { scope: cmd.options.scope } : {}),
    ...(typeof cmd.options.category === "string" ? { category: cmd.options.category } : {}),
    ...(tags ? { tags } : {}),
    ...(typeof cmd.options.importance === "number" ? { importance: cmd.options.importance } : {}),
    ...(cmd.options.pin === true ? { pinned: true } : {}),
  });
  if (cmd.options.json === true) cmd.out(json(result));
  else cmd.out(`${result.outcome === "added" ? "Added" : result.outcome === "duplicate" ? "Already known (duplicate of)" : "Merged into"} ${result.id}\n`);
  return 0;
}

export async function searchCommand(cmd: CommandInput): Promise<number> {
  const hits = await memoryOf(cmd).search(textArg(cmd, "query"), { agentId: agentOption(cmd), k: cmd.options.k as number, ...filterOptions(cmd) });
  if (cmd.options.json === true) {
    cmd.out(json(hits.map((h) => ({ id: h.fact.id, text: h.fact.text, score: h.score, sources: h.fact.sources, tags: h.fact.tags, createdAt: h.fact.createdAt, parts: h.parts }))));
  } else if (hits.length === 0) cmd.out("No facts found.\n");
  else for (const hit of hits) cmd.out(factLine(hit.fact, hit.score));
  return 0;
}

export async function forgetCommand(cmd: CommandInput): Promise<number> {
  const target = textArg(cmd, "target");
  const byId = /^[0-9A-HJKMNP-TV-Z]{26}$/.test(target);
  const fact = await memoryOf(cmd).forget(byId ? { id: target } : { agentId: agentOption(cmd), match: target });
  if (cmd.options.json === true) cmd.out(json(fact));
  else cmd.out(`Forgotten ${fact.id}: ${printable(fact.text)}\n`);
  return 0;
}

export async function listCommand(cmd: CommandInput): Promise<number> {
  const facts = await memoryOf(cmd).list({ agentId: agentOption(cmd), limit: cmd.options.limit as number, ...filterOptions(cmd) });
  if (cmd.options.json === true) cmd.out(json(facts));
  else if (facts.length === 0) cmd.out("No facts.\n");
  else for (const fact of facts) cmd.out(factLine(fact));
  return 0;
}

export async function pinCommand(cmd: CommandInput): Promise<number> {
  const id = textArg(cmd, "id");
  const pinned = cmd.options.unpin !== true;
  if (!(await memoryOf(cmd).pin(id, pinned))) {
    cmd.err(`No live fact ${printable(id)} (\`aleph memory list\` shows the ids).\n`);
    return 1;
  }
  cmd.out(`${pinned ? "Pinned" : "Unpinned"} ${id}\n`);
  return 0;
}

export async function statsCommand(cmd: CommandInput): Promise<number> {
  const agentId = agentOption(cmd);
  const stats = await memoryOf(cmd).stats(agentId);
  if (cmd.options.json === true) {
    cmd.out(json(stats));
    return 0;
  }
  const categories = Object.entries(stats.byCategory).sort(([a], [b]) => (a < b ? -1 : 1));
  cmd.out(
    [
      `Agent ${agentId}: ${plural(stats.live, "live fact")}, ${stats.pinned} pinned, ${stats.forgotten} forgotten (not yet purged)`,
      ...(categories.length > 0 ? [`Categories: ${categories.map(([c, n]) => `${c} ${n}`).join(", ")}`] : []),
      `Vectors: ${stats.space.model}, ${stats.space.dimension} dimensions`,
      stats.vectorsUsable
        ? "Vector search: on"
        : "Vector search: PAUSED — the embedder changed since these vectors were made; keyword search still works. Run `aleph memory reindex`.",
      "",
    ].join("\n"),
  );
  return 0;
}
