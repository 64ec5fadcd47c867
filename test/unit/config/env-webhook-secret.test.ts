import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { EnvError, loadEnv } from "../../../src/config/env.js";

const pem = generateKeyPairSync("rsa", { modulusLength: 1024 })
  .privateKey.export({ type: "pkcs1", format: "pem" })
  .toString();

describe("WEBHOOK_SECRET", () => {
  it("is required once the App's credentials are set: no fallback secret is ever accepted", () => {
    expect(() => loadEnv({ APP_ID: "12", PRIVATE_KEY: pem })).toThrow(EnvError);
    expect(() => loadEnv({ APP_ID: "12", PRIVATE_KEY: pem, WEBHOOK_SECRET: " " })).toThrow(
      /WEBHOOK_SECRET: required when APP_ID and PRIVATE_KEY are set/,
    );
  });

  it("is accepted with the credentials, and not needed before them (setup mode)", () => {
    const env = loadEnv({ APP_ID: "12", PRIVATE_KEY: pem, WEBHOOK_SECRET: "s3cret" });
    expect(env.WEBHOOK_SECRET).toBe("s3cret");
    expect(loadEnv({}).WEBHOOK_SECRET).toBeUndefined();
  });
});
