import { readFileSync } from "node:fs";

/** Faultline's version, from package.json (two folders up from src/cli/ and dist/cli/ alike). */
export function faultlineVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version?: string;
  };
  return pkg.version ?? "unknown";
}
