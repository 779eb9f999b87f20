/* The control page's entry: renders the app into #app (index.html), replacing its boot text. */
import { render } from "preact";
import { App } from "./app.js";
import { checkAuth } from "./auth.js";
import "./styles.css";

const root = document.getElementById("app");
if (root) {
  // Asked before the first render, so the answer is on its way while Preact draws.
  const firstCheck = checkAuth();
  firstCheck.catch(() => undefined); // handled by the app; this keeps an early failure from being "unhandled"
  root.textContent = "";
  render(<App firstCheck={firstCheck} />, root);
}
