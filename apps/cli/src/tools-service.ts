import { AlephError, toolsRef, type ToolsService } from "@aleph/plugin-sdk";
import type { Kernel } from "@aleph/kernel";

/** The tools service bound in a kernel, or a clear error when no tools plugin is active. */
export function toolsOf(kernel: Kernel): ToolsService {
  const tools = kernel.host.registry.bound(toolsRef.id)?.implementation as ToolsService | undefined;
  if (!tools) throw new AlephError("ALEPH_E_DEPENDENCY", "no plugin provides the tools service", { fix: "check `aleph plugins inspect tools`; the bundled tools plugin may be disabled" });
  return tools;
}
