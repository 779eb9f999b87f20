import { CommandUsageError, json, printable, timeText, type CommandInput, type GraphEdgeView, type GraphNodeView } from "@aleph/plugin-sdk";
import { agentOption, factLine, memoryOf, parseTime, textArg } from "./support.js";

/* `aleph memory graph add-edge <src> <rel> <dst>` and `aleph memory graph show <entity>`. */

export async function addEdgeCommand(cmd: CommandInput): Promise<number> {
  if (cmd.options.exclusive === true && cmd.options["no-exclusive"] === true) throw new CommandUsageError("give --exclusive or --no-exclusive, not both");
  const exclusive = cmd.options.exclusive === true ? true : cmd.options["no-exclusive"] === true ? false : undefined;
  const result = await memoryOf(cmd).graphAddEdge(agentOption(cmd), {
    src: cmd.args.src as string,
    rel: cmd.args.rel as string,
    dst: cmd.args.dst as string,
    ...(cmd.options["valid-at"] !== undefined ? { validAt: parseTime(cmd.options["valid-at"], "--valid-at") } : {}),
    ...(exclusive !== undefined ? { exclusive } : {}),
  });
  if (cmd.options.json === true) {
    cmd.out(json(result));
    return 0;
  }
  const what = `${printable(cmd.args.src as string)} —${result.edge.rel}→ ${printable(cmd.args.dst as string)}`;
  cmd.out(result.duplicate ? `Already known: ${what} (edge ${result.edge.id})\n` : `Added ${what} (edge ${result.edge.id}, true from ${timeText(result.edge.validAt)})\n`);
  for (const old of result.invalidated) cmd.out(`Closed edge ${old.id}: no longer true from ${timeText(old.invalidAt)}\n`);
  return 0;
}

function edgeLine(edge: GraphEdgeView, nodes: Map<number, GraphNodeView>): string {
  const label = (id: number) => printable(nodes.get(id)?.label ?? `#${id}`);
  const until = edge.invalidAt !== null ? ` until ${timeText(edge.invalidAt)}` : "";
  return `  ${label(edge.src)} —${edge.rel}→ ${label(edge.dst)}  (from ${timeText(edge.validAt)}${until})\n`;
}

export async function showCommand(cmd: CommandInput): Promise<number> {
  const entity = textArg(cmd, "entity");
  const asOf = cmd.options["as-of"] !== undefined ? parseTime(cmd.options["as-of"], "--as-of") : undefined;
  const about = await memoryOf(cmd).about(entity, { agentId: agentOption(cmd), depth: cmd.options.depth as number, ...(asOf !== undefined ? { asOf } : {}) });
  if (cmd.options.json === true) {
    cmd.out(json(about));
    return 0;
  }
  if (about.nodes.length === 0) {
    cmd.out(`Nothing is known about "${printable(entity)}" in the graph${asOf !== undefined ? ` as of ${timeText(asOf)}` : ""}.\n`);
    return 1;
  }
  const nodes = new Map(about.nodes.map((n) => [n.id, n]));
  cmd.out(`${printable(about.nodes[0]!.label)}${asOf !== undefined ? ` as of ${timeText(asOf)}` : ""}: ${about.nodes.length - 1} related, ${about.edges.length} relations\n`);
  for (const edge of about.edges) cmd.out(edgeLine(edge, nodes));
  if (about.facts.length > 0) {
    cmd.out("Facts:\n");
    for (const fact of about.facts) cmd.out(`  ${factLine(fact)}`);
  }
  return 0;
}
