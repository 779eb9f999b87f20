import { afterEach } from "vitest";
import { cleanupAll } from "./aleph.js";
import { closeModels } from "./model.js";

// Every test: no CLI process outlives it, no temp workspace is left behind.
afterEach(async () => {
  await cleanupAll();
  await closeModels();
});
