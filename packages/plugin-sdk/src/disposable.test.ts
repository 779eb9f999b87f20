import { describe, expect, it } from "vitest";
import { DisposableStore, toDisposable } from "./disposable.js";

describe("DisposableStore", () => {
  it("runs teardowns last-in-first-out, once", async () => {
    const order: number[] = [];
    const store = new DisposableStore();
    store.add(toDisposable(() => void order.push(1)));
    store.add(toDisposable(async () => void order.push(2)));
    store.add(toDisposable(() => void order.push(3)));
    await store.dispose();
    await store.dispose();
    expect(order).toEqual([3, 2, 1]);
  });

  it("runs every teardown even when some throw, then reports them", async () => {
    const order: number[] = [];
    const store = new DisposableStore();
    store.add(toDisposable(() => void order.push(1)));
    store.add(toDisposable(() => { throw new Error("a"); }));
    store.add(toDisposable(() => { throw new Error("b"); }));
    await expect(store.dispose()).rejects.toThrow(/2 teardowns failed/);
    expect(order).toEqual([1]);
  });

  it("disposes at once what is added after it was disposed", async () => {
    const store = new DisposableStore();
    await store.dispose();
    let ran = false;
    store.add(toDisposable(() => void (ran = true)));
    await new Promise((r) => setTimeout(r, 0));
    expect(ran).toBe(true);
  });

  it("makes toDisposable idempotent", () => {
    let n = 0;
    const d = toDisposable(() => void n++);
    void d.dispose();
    void d.dispose();
    expect(n).toBe(1);
  });
});
