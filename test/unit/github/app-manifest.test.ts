import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  buildAppManifest,
  readAppYml,
  unreachableFromGithub,
} from "../../../src/github/app-manifest.js";

const dir = mkdtempSync(join(tmpdir(), "faultline-manifest-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the GitHub App manifest", () => {
  it("sends webhooks to PUBLIC_URL's webhook route and sign-ins to the dashboard's callback", () => {
    const manifest = buildAppManifest({
      publicUrl: "https://errors.example.com/",
      appYml: readAppYml(join(import.meta.dirname, "../../../app.yml")),
    });
    expect(manifest.hook_attributes).toEqual({
      url: "https://errors.example.com/api/github/webhooks",
      active: true,
    });
    expect(manifest.callback_urls).toEqual(["https://errors.example.com/dashboard/auth/callback"]);
    expect(manifest.redirect_url).toBe("https://errors.example.com/probot/setup");
    // Name, events and permissions come from the repository's app.yml.
    expect(manifest.name).toBe("Faultline");
    expect(manifest.default_permissions).toEqual({
      issues: "write",
      metadata: "read",
      contents: "read",
      pull_requests: "read",
    });
    expect(manifest.default_events).toContain("issue_comment");
    expect(manifest.default_events).toContain("pull_request");
    expect(manifest.public).toBe(false);
  });

  it("uses the relay channel of WEBHOOK_PROXY_URL for webhooks when set", () => {
    const manifest = buildAppManifest({
      publicUrl: "http://localhost:3000",
      webhookProxyUrl: "https://smee.io/abc123",
      setupUrl: "http://127.0.0.1:3000",
    });
    expect(manifest.hook_attributes.url).toBe("https://smee.io/abc123");
    expect(manifest.redirect_url).toBe("http://127.0.0.1:3000/probot/setup");
    expect(manifest.callback_urls).toEqual(["http://localhost:3000/dashboard/auth/callback"]);
  });

  it("never takes its URLs from app.yml (an old one pointed webhooks at example.com)", () => {
    const manifest = buildAppManifest({
      publicUrl: "https://errors.example.com",
      appYml: {
        name: "Mine",
        hook_attributes: { url: "https://example.com/api/github/webhooks" },
        redirect_url: "https://evil.example/steal",
        callback_urls: ["https://evil.example/cb"],
      },
    });
    expect(manifest.name).toBe("Mine");
    expect(manifest.hook_attributes.url).toBe("https://errors.example.com/api/github/webhooks");
    expect(manifest.redirect_url).toBe("https://errors.example.com/probot/setup");
    expect(manifest.callback_urls).toEqual(["https://errors.example.com/dashboard/auth/callback"]);
  });

  it("reads app.yml: a missing file is none, a broken one an error naming it", () => {
    expect(readAppYml(join(dir, "missing.yml"))).toEqual({});
    const broken = join(dir, "broken.yml");
    writeFileSync(broken, "name: [unclosed\n");
    expect(() => readAppYml(broken)).toThrow(/broken\.yml: not valid YAML/);
    const list = join(dir, "list.yml");
    writeFileSync(list, "- a\n- b\n");
    expect(() => readAppYml(list)).toThrow(/expected a mapping/);
  });

  it("knows the addresses GitHub cannot deliver to", () => {
    for (const url of [
      "http://localhost:3000/api/github/webhooks",
      "http://127.0.0.1:3000/x",
      "http://[::1]:3000/x",
      "http://192.168.1.20/x",
      "http://10.0.0.5/x",
    ]) {
      expect(unreachableFromGithub(url), url).toBe(true);
    }
    expect(unreachableFromGithub("https://errors.example.com/api/github/webhooks")).toBe(false);
    expect(unreachableFromGithub("https://smee.io/abc")).toBe(false);
  });
});
