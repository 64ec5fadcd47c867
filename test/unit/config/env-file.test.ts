import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { updateEnvFile } from "../../../src/config/env-file.js";

const dir = mkdtempSync(join(tmpdir(), "faultline-envfile-"));
const KEYS = ["FL_TEST_A", "FL_TEST_PEM", "FL_TEST_QUOTE", "FL_TEST_NEW"];
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  for (const key of KEYS) delete process.env[key];
});

const PEM = "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nabc+/=\n-----END RSA PRIVATE KEY-----\n";

describe("updateEnvFile", () => {
  it("replaces and adds variables, keeps other lines, and is read back by Node as written", () => {
    const file = join(dir, "one.env");
    writeFileSync(file, "# my settings\nPORT=4000\nFL_TEST_A=old\n\nLOG_LEVEL=debug\n", {
      mode: 0o644,
    });
    updateEnvFile(file, { FL_TEST_A: "new", FL_TEST_PEM: PEM, FL_TEST_QUOTE: 'say "hi"' });
    const text = readFileSync(file, "utf8");
    expect(text.split("\n").slice(0, 5)).toEqual([
      "# my settings",
      "PORT=4000",
      "FL_TEST_A=new",
      "",
      "LOG_LEVEL=debug",
    ]);
    // The private key is on one line, and the file is the owner's alone.
    expect(text).toContain('FL_TEST_PEM="-----BEGIN RSA PRIVATE KEY-----\\nMIIEow\\n');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(process.env.FL_TEST_PEM).toBe(PEM);

    for (const key of KEYS) delete process.env[key];
    process.loadEnvFile(file);
    expect(process.env.FL_TEST_A).toBe("new");
    expect(process.env.FL_TEST_PEM).toBe(PEM);
    expect(process.env.FL_TEST_QUOTE).toBe('say "hi"');
  });

  it("creates the file owner-only", () => {
    const file = join(dir, "new.env");
    updateEnvFile(file, { FL_TEST_NEW: "1" });
    expect(readFileSync(file, "utf8")).toBe("FL_TEST_NEW=1\n");
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});
