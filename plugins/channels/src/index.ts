import { join } from "node:path";
import { agentRef, chatRef, channelsRef, definePlugin, sessionsRef, skillsRef } from "@aleph/plugin-sdk";
import { HandledLedger } from "./handled-ledger.js";
import { Inbound } from "./inbound.js";
import { PairingStore } from "./pairing-store.js";
import { ChannelRegistry } from "./registry.js";

/*
 * The channels registry's entry, loaded at every kernel start: it provides the `channels` service
 * and does nothing else until a channel plugin registers (no file is read, no timer runs). It owns
 * no config section: each channel plugin owns its [interfaces.<name>] and hands its routing keys
 * over when it registers.
 */
export default definePlugin({
  setup(ctx) {
    const pairing = new PairingStore(() => join(ctx.paths.data, "pairing.json"));
    const ledger = new HandledLedger(() => join(ctx.paths.data, "handled"), ctx.log);
    const inbound = new Inbound({
      log: ctx.log,
      emit: (event, payload) => ctx.events.emit(event, payload),
      agent: () => ctx.services.get(agentRef),
      chat: () => ctx.services.getOptional(chatRef),
      sessions: () => ctx.services.getOptional(sessionsRef),
      skills: () => ctx.services.getOptional(skillsRef),
      ledger,
      pairing,
    });
    const registry = new ChannelRegistry({ log: ctx.log, emit: (event, payload) => ctx.events.emit(event, payload), redact: (text) => ctx.redact(text), inbound, pairing });
    ctx.services.provide(channelsRef, registry.service);
    // Channel plugins dispose their registrations when they unload; what is left stops here.
    ctx.onDispose(() => registry.close());
  },
});
