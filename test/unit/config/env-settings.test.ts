import { describe, expect, it } from "vitest";
import { EnvError, loadEnv } from "../../../src/config/index.js";

const DAY = 86_400_000;

describe("operating settings", () => {
  it("have defaults that keep tables bounded", () => {
    const env = loadEnv({});
    expect(env.OUTBOX_RETENTION).toBe(7 * DAY);
    expect(env.OUTBOX_DEAD_RETENTION).toBe(30 * DAY);
    expect(env.WEBHOOK_DELIVERY_RETENTION).toBe(7 * DAY);
    expect(env.OUTBOX_MAX_ATTEMPTS).toBe(25);
    expect(env.OUTBOX_MAX_WAIT).toBe(7 * DAY);
    expect(env.DATABASE_WAIT).toBe(60_000);
    expect(env.ENV_FILE).toBe(".env");
  });

  it("take durations, 0 for no database wait", () => {
    const env = loadEnv({
      OUTBOX_RETENTION: "36h",
      DATABASE_WAIT: "0",
      WEBHOOK_DELIVERY_RETENTION: "3d",
    });
    expect(env.OUTBOX_RETENTION).toBe(36 * 3_600_000);
    expect(env.DATABASE_WAIT).toBe(0);
    expect(env.WEBHOOK_DELIVERY_RETENTION).toBe(3 * DAY);
  });

  it("refuse delivery ids kept less than GitHub's 3 days of redelivery, and name bad values", () => {
    expect(() => loadEnv({ WEBHOOK_DELIVERY_RETENTION: "2d" })).toThrow(
      /WEBHOOK_DELIVERY_RETENTION: at least 3d, got "2d"/,
    );
    expect(() => loadEnv({ OUTBOX_RETENTION: "soon" })).toThrow(
      /OUTBOX_RETENTION: expected a duration such as 30s, 15m, 12h or 7d, got "soon"/,
    );
    expect(() => loadEnv({ OUTBOX_MAX_ATTEMPTS: "0" })).toThrow(EnvError);
    expect(() => loadEnv({ LOG_FORMAT: "xml" } as unknown as NodeJS.ProcessEnv)).toThrow(
      /LOG_FORMAT/,
    );
    expect(() => loadEnv({ WEBHOOK_PROXY_URL: "smee" })).toThrow(/WEBHOOK_PROXY_URL/);
  });
});
