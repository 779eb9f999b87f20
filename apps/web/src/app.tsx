/*
 * The page's states: checking the cookie (GET /auth), the login form, or logged in with one RPC
 * client (and its event log) for the life of the login. A socket that keeps failing before it
 * opens may mean the cookie expired or the token changed (the upgrade answers 401, which a browser
 * WebSocket cannot see): the page asks GET /auth again and shows the login form if so.
 */
import { useEffect, useState } from "preact/hooks";
import { AuthError, checkAuth, logout, type AuthState } from "./auth.js";
import { FailureNotice } from "./components/error-notice.js";
import { EventLog } from "./events/event-log.js";
import { ClientContext } from "./hooks/client.js";
import { gatewaySocketUrl, RpcClient } from "./rpc/client.js";
import { Console } from "./views/console.js";
import { LoginView } from "./views/login.js";

type Phase =
  | { phase: "checking" }
  | { phase: "unreachable"; message: string; fix?: string }
  | { phase: "login"; notice?: string }
  | { phase: "in"; client: RpcClient; log: EventLog; stopLog: () => void; authRequired: boolean };

function connect(authRequired = true): Phase {
  const client = new RpcClient({ url: gatewaySocketUrl(location) });
  const log = new EventLog(client);
  const stopLog = log.start();
  client.start();
  return { phase: "in", client, log, stopLog, authRequired };
}

function end(phase: Phase): void {
  if (phase.phase !== "in") return;
  phase.stopLog();
  phase.client.stop();
}

/** `firstCheck`: GET /auth already under way (main.tsx starts it before the first render, saving a frame). */
export function App({ firstCheck }: { firstCheck?: Promise<AuthState> }) {
  const [phase, setPhase] = useState<Phase>({ phase: "checking" });

  async function check(pending?: Promise<AuthState>) {
    setPhase({ phase: "checking" });
    try {
      const auth = await (pending ?? checkAuth());
      setPhase(auth.authenticated ? connect(auth.required) : { phase: "login" });
    } catch (error) {
      const fix = error instanceof AuthError ? error.fix : "check that `aleph start` is running with the gateway enabled, then reload";
      setPhase({ phase: "unreachable", message: `The gateway did not answer: ${(error as Error).message}`, fix });
    }
  }

  useEffect(() => {
    void check(firstCheck);
  }, []);

  // While logged in: a socket refused before opening sends the page back to GET /auth.
  useEffect(() => {
    if (phase.phase !== "in") return;
    return phase.client.onState((state) => {
      if (state.status !== "waiting" || state.lastClose.wasOpen) return;
      checkAuth().then(
        ({ authenticated }) => {
          if (authenticated) return;
          setPhase({ phase: "login", notice: "Your login expired or the gateway's token changed: log in again." });
        },
        () => undefined, // the gateway is down: the client keeps retrying
      );
    });
  }, [phase]);

  // Leaving the "in" phase (logout, expiry) closes its client: the one place that does.
  useEffect(() => () => end(phase), [phase]);

  switch (phase.phase) {
    case "checking":
      return <p class="boot">Connecting to the gateway…</p>;
    case "unreachable":
      return (
        <main class="login">
          <h1>Aleph</h1>
          <FailureNotice message={phase.message} fix={phase.fix} />
          <button type="button" onClick={() => void check()}>
            Try again
          </button>
        </main>
      );
    case "login":
      return <LoginView notice={phase.notice} onLoggedIn={() => setPhase(connect())} />;
    case "in":
      return (
        <ClientContext.Provider value={phase.client}>
          <Console
            log={phase.log}
            onLogout={
              phase.authRequired
                ? () => {
                    setPhase({ phase: "login" });
                    void logout().catch(() => undefined);
                  }
                : undefined
            }
          />
        </ClientContext.Provider>
      );
  }
}
