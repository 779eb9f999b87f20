/*
 * What the registry itself says in a chat: the pairing notice, command answers, the apology for a
 * failed turn. Plain text (every platform shows it as is), short.
 */

export const BUILTIN_COMMANDS: readonly { usage: string; summary: string }[] = [
  { usage: "/new", summary: "start a fresh session (this one is archived)" },
  { usage: "/stop", summary: "stop the answer being written" },
  { usage: "/model [name]", summary: 'show or set the model for this conversation ("/model default" resets it)' },
  { usage: "/help", summary: "this list" },
];

export function pairingNotice(code: string, expiresAt: number, now: number): string {
  const minutes = Math.max(1, Math.round((expiresAt - now) / 60_000));
  return [
    "Hello! I don't know you yet, so I can't answer you.",
    "Ask my owner to approve you by running:",
    "",
    `aleph interfaces pair ${code}`,
    "",
    `The code is good for ${minutes} minute${minutes === 1 ? "" : "s"}.`,
  ].join("\n");
}

export const PAIRED_NOTICE = "You're approved: I'll answer your messages from now on.";

export function helpText(skills: { name: string; description: string }[]): string {
  const lines = ["Commands:", ...BUILTIN_COMMANDS.map((c) => `${c.usage} — ${c.summary}`)];
  if (skills.length > 0) {
    lines.push("", "Skills:");
    for (const skill of skills) lines.push(`/${skill.name}${skill.description ? ` — ${oneLine(skill.description, 100)}` : ""}`);
  }
  return lines.join("\n");
}

export function unknownCommand(word: string, skills: { name: string; description: string }[]): string {
  return `I don't know /${word}.\n\n${helpText(skills)}`;
}

/** A failed turn, said without internals: the code lets the owner find it in the logs. */
export function apology(code: string): string {
  return `Sorry, I couldn't answer that (${code}). Please try again later.`;
}

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
