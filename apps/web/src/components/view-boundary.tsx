/*
 * Keeps one view's rendering failure (an answer of a shape the page did not expect) inside that
 * view: it says what broke instead of blanking the whole page. Keyed by the route, so going to
 * another view starts afresh.
 */
import { Component, type ComponentChildren } from "preact";
import { FailureNotice } from "./error-notice.js";

export class ViewBoundary extends Component<{ children: ComponentChildren }, { error?: Error }> {
  state: { error?: Error } = {};

  static getDerivedStateFromError(error: unknown): { error: Error } {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  componentDidCatch(error: unknown): void {
    console.error("a view failed to render", error);
  }

  render() {
    if (this.state.error) {
      return (
        <FailureNotice
          title="This view could not be shown"
          message={this.state.error.message}
          fix="the gateway answered in a shape this page does not know: reload the page, or update aleph so the page and the gateway match"
        />
      );
    }
    return this.props.children;
  }
}
