#!/usr/bin/env node
// The `faultline` command. From a checkout it runs the TypeScript source with tsx (no build step);
// where only the compiled build is installed (the container image: dist/ without src/), it runs
// that.
import { existsSync } from "node:fs";

const source = new URL("../src/cli/main.ts", import.meta.url);
if (existsSync(source)) {
  const { register } = await import("tsx/esm/api");
  register();
  await import(source.href);
} else {
  await import(new URL("../dist/cli/main.js", import.meta.url).href);
}
