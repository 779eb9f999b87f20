import { describe, expect, it } from "vitest";
import { EventBus } from "./event-bus.js";

function bus() {
  const errors: { owner?: string; event: string; message: string }[] = [];
  const b = new EventBus((owner, event, error) => errors.push({ owner, event, message: (error as Error).message }));
  return { b, errors };
}

describe("EventBus", () => {
  it("calls handlers in subscription order with the payload", async () => {
    const { b } = bus();
    const seen: string[] = [];
    b.on("e", (p) => void seen.push(`1:${(p as { v: string }).v}`));
    b.on("e", (p) => void seen.push(`2:${(p as { v: string }).v}`));
    await b.emit("e", { v: "x" });
    expect(seen).toEqual(["1:x", "2:x"]);
  });

  it("awaits asynchronous handlers before emit resolves", async () => {
    const { b } = bus();
    let done = false;
    b.on("e", async () => {
      await new Promise((r) => setTimeout(r, 20));
      done = true;
    });
    await b.emit("e", {});
    expect(done).toBe(true);
  });

  it("unsubscribes through the returned disposable, and once fires once", async () => {
    const { b } = bus();
    let n = 0;
    let m = 0;
    const d = b.on("e", () => void n++);
    b.once("e", () => void m++);
    await b.emit("e", {});
    await d.dispose();
    await b.emit("e", {});
    expect([n, m]).toEqual([1, 1]);
    expect(b.listenerCount()).toBe(0);
  });

  it("reports a throwing handler against its owner and still runs the others; the emitter never sees it", async () => {
    const { b, errors } = bus();
    let ran = false;
    b.on("e", () => {
      throw new Error("sync boom");
    }, "bad-plugin");
    b.on("e", async () => {
      throw new Error("async boom");
    }, "worse-plugin");
    b.on("e", () => void (ran = true), "good-plugin");
    await expect(b.emit("e", {})).resolves.toBeUndefined();
    expect(ran).toBe(true);
    expect(errors).toEqual([
      { owner: "bad-plugin", event: "e", message: "sync boom" },
      { owner: "worse-plugin", event: "e", message: "async boom" },
    ]);
  });

  it("lets a handler subscribe during an emit without affecting that emit", async () => {
    const { b } = bus();
    let late = 0;
    b.on("e", () => void b.on("e", () => void late++));
    await b.emit("e", {});
    expect(late).toBe(0);
    await b.emit("e", {});
    expect(late).toBe(1);
  });

  it("shows every event to onAny listeners", async () => {
    const { b } = bus();
    const seen: string[] = [];
    b.onAny((event) => void seen.push(event));
    await b.emit("a", {});
    await b.emit("b", {});
    expect(seen).toEqual(["a", "b"]);
  });
});
