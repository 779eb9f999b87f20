import type { ToolCallContext } from "@aleph/plugin-sdk";
import { errorText } from "../error-text.js";
import { callerAgent, type FsToolsEnv } from "../tool-env.js";
import { writeGuarded } from "./write-target.js";

/* write_file: a whole file's content, written atomically; audited whether it worked or not. */

export interface WriteFileArgs {
  path: string;
  content: string;
}

export async function writeFile(env: FsToolsEnv, args: WriteFileArgs, context: ToolCallContext): Promise<{ path: string; bytes: number; created: boolean }> {
  const who = { tool: "write_file" as const, agent: callerAgent(context), session: context.sessionKey };
  let path = args.path;
  try {
    const target = await env.guardFor(context).resolve(args.path);
    path = target.real;
    const bytes = await writeGuarded(target, args.content);
    env.audit({ ...who, path, bytes, ok: true });
    return { path: target.display, bytes, created: !target.exists };
  } catch (error) {
    env.audit({ ...who, path, ok: false, error: errorText(error) });
    throw error;
  }
}
