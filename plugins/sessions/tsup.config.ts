// The shared build of a bundled plugin: see scripts/tsup-bundled-plugin.ts.
export { default } from "../../scripts/tsup-bundled-plugin";
