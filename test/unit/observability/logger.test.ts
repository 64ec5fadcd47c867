import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../../src/observability/logger.js";

function capture(isTTY: boolean) {
  const stream = Object.assign(new PassThrough(), { isTTY });
  let text = "";
  stream.on("data", (chunk) => {
    text += chunk;
  });
  return { stream, text: () => text };
}

describe("the process logger", () => {
  it("writes JSON lines when not on a terminal", () => {
    const out = capture(false);
    createLogger({ LOG_LEVEL: "info" }, out.stream).info({ bug: "B-001" }, "new bug");
    expect(JSON.parse(out.text())).toMatchObject({ level: 30, msg: "new bug", bug: "B-001" });
  });

  it("writes readable lines on a terminal (or with LOG_FORMAT=pretty), requests on one line", () => {
    const out = capture(false);
    const log = createLogger({ LOG_LEVEL: "info", LOG_FORMAT: "pretty" }, out.stream);
    log.info({ req: { method: "GET", url: "/dashboard" }, reqId: "r1" }, "incoming request");
    log.info({ res: { statusCode: 200 }, responseTime: 3.21, reqId: "r1" }, "request completed");
    log.warn("database connection lost");
    const lines = out.text().trimEnd().split("\n");
    expect(lines).toEqual([
      expect.stringMatching(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: incoming request GET \/dashboard$/),
      expect.stringMatching(/^\[[\d:.]+\] INFO: request completed 200 in 3\.2 ms$/),
      expect.stringMatching(/^\[[\d:.]+\] WARN: database connection lost$/),
    ]);
    const tty = capture(true);
    createLogger({ LOG_LEVEL: "info" }, tty.stream).info("hello");
    expect(tty.text()).not.toMatch(/^\{/);
    expect(tty.text()).toContain("hello");
  });
});
