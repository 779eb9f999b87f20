// Placeholder build (issue 16): the control page's helper replaces this with the real bundle.
import { mkdirSync, writeFileSync } from "node:fs";
mkdirSync(new URL("./dist/", import.meta.url), { recursive: true });
writeFileSync(new URL("./dist/index.html", import.meta.url), "<!doctype html><title>Aleph</title><p>control page: not built yet</p>\n");
