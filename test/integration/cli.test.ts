import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const BIN = join(import.meta.dirname, "../../bin/faultline.js");
const dataDir = mkdtempSync(join(tmpdir(), "faultline-cli-"));

/** The real `faultline` command, on a throwaway embedded database. */
async function faultline(...args: string[]) {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      env: {
        ...process.env,
        DATABASE_URL: "",
        DATA_DIR: dataDir,
        PUBLIC_URL: "https://errors.example.com",
      },
      cwd: dataDir,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe("faultline CLI", () => {
  it("dsn creates a project once, prints its key, URLs and Sentry DSN, and rotates", async () => {
    const created = await faultline("dsn", "octo-org/shop");
    expect(created.code).toBe(0);
    const key = /ingest key:\s+([0-9a-f]{32})/.exec(created.stdout)?.[1];
    expect(key).toBeDefined();
    expect(created.stdout).toContain("Created octo-org/shop (project id 1)");
    expect(created.stdout).toContain("https://errors.example.com/api/reports");
    expect(created.stdout).toContain(`Sentry DSN:    https://${key}@errors.example.com/1`);

    const shown = await faultline("dsn", "Octo-Org/Shop");
    expect(shown.stdout).toContain(`ingest key:    ${key}`);
    expect(shown.stdout).toContain("Project octo-org/shop");

    const rotated = await faultline("dsn", "octo-org/shop", "--rotate");
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).not.toContain(key);
    expect(rotated.stdout).toMatch(/previous key keeps working until \d{4}-/);

    const readKey = /read key:\s+(flr_\S+)/.exec(rotated.stdout)?.[1];
    expect(readKey).toBeDefined();
    const newRead = await faultline("dsn", "octo-org/shop", "--rotate-read-key");
    expect(newRead.code).toBe(0);
    const rotatedReadKey = /read key:\s+(flr_\S+)/.exec(newRead.stdout)?.[1];
    expect(rotatedReadKey).toMatch(/^flr_/);
    expect(rotatedReadKey).not.toBe(readKey);
    // The ingest key is left alone, and the new read key is the one shown from now on.
    expect(newRead.stdout).toContain(rotated.stdout.match(/ingest key:\s+\S+/)?.[0]);
    expect((await faultline("dsn", "octo-org/shop")).stdout).toContain(
      `read key:      ${rotatedReadKey}`,
    );
  }, 60_000);

  it("names the problem on bad input", async () => {
    const badName = await faultline("dsn", "not a repo");
    expect(badName.code).toBe(2);
    expect(badName.stderr).toContain('"not a repo" is not a repository name');
    const unknown = await faultline("frobnicate");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    const rotateMissing = await faultline("dsn", "octo-org/nothing", "--rotate");
    expect(rotateMissing.stderr).toContain("no project for octo-org/nothing");
  }, 60_000);

  it("refuses to open the embedded database while another process has it", async () => {
    writeFileSync(join(dataDir, "faultline.pid"), String(process.pid));
    try {
      const busy = await faultline("migrate");
      expect(busy.code).toBe(2);
      expect(busy.stderr).toContain(`is open in another Faultline process (pid ${process.pid})`);
    } finally {
      rmSync(join(dataDir, "faultline.pid"), { force: true });
    }
    const ok = await faultline("migrate");
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("database schema is up to date");
  }, 60_000);
});
