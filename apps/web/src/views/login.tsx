/*
 * The token form, shown when GET /auth says the browser is not logged in. The token goes to the
 * gateway once (POST /auth) and is dropped from the page's memory: the cookie carries the session.
 */
import { useLayoutEffect, useRef, useState } from "preact/hooks";
import { login } from "../auth.js";
import { FailureNotice } from "../components/error-notice.js";
import { markInteractive } from "../interactive.js";

export function LoginView({ onLoggedIn, notice }: { onLoggedIn: () => void; notice?: string }) {
  const [token, setToken] = useState("");
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<{ message: string; fix?: string } | undefined>(undefined);
  const input = useRef<HTMLInputElement>(null);

  // A layout effect runs as soon as the form is in the document (a plain effect waits for a frame).
  useLayoutEffect(() => {
    input.current?.focus();
    markInteractive();
  }, []);

  async function submit(event: Event) {
    event.preventDefault();
    if (token.trim() === "" || busy) return;
    setBusy(true);
    setFailure(undefined);
    try {
      await login(token.trim());
      setToken("");
      onLoggedIn();
    } catch (error) {
      const { message, fix } = error as { message: string; fix?: string };
      setFailure({ message, fix });
      setBusy(false);
      input.current?.select();
    }
  }

  return (
    <main class="login">
      <h1>Aleph</h1>
      <form class="card" onSubmit={submit} aria-describedby="login-help">
        <h2>Log in to the gateway</h2>
        {notice && <p class="notice">{notice}</p>}
        <label for="token">Gateway token</label>
        <input
          id="token"
          ref={input}
          type="password"
          name="token"
          autocomplete="off"
          spellcheck={false}
          required
          value={token}
          onInput={(e) => setToken((e.target as HTMLInputElement).value)}
          disabled={busy}
        />
        <p id="login-help" class="muted">
          Print it on the machine running Aleph with <code>aleph gateway token</code>.
        </p>
        {failure && <FailureNotice message={failure.message} fix={failure.fix} />}
        <button type="submit" disabled={busy || token.trim() === ""}>
          {busy ? "Logging in…" : "Log in"}
        </button>
      </form>
    </main>
  );
}
