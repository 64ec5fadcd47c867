import { describe, expect, it } from "vitest";
import { FILTERED, createScrubber } from "../../../src/scrub/index.js";
import { makeEvent } from "./make-event.js";

const { scrubEvent, scrubString } = createScrubber();

describe("secrets in the event's name fields", () => {
  it("are scrubbed in error_type, environment, release, service and server name", () => {
    const event = scrubEvent(
      makeEvent({
        errorType: "ConnectionError postgres://app:hunter2@db.internal/shop",
        environment: "Bearer abcdef0123456789abcdef",
        release: "password=hunter2",
        service: "checkout xoxb-1234567890-abcdefghij",
        serverName: "https://deploy:t0ken@ci.example.com",
      }),
    );
    expect(event.errorType).toBe(`ConnectionError postgres://${FILTERED}@db.internal/shop`);
    expect(event.environment).toBe(`Bearer ${FILTERED}`);
    expect(event.release).toBe(`password=${FILTERED}`);
    expect(event.service).toBe(`checkout ${FILTERED}`);
    expect(event.serverName).toBe(`https://${FILTERED}@ci.example.com`);
  });

  it("keep ordinary names as they are", () => {
    const event = scrubEvent(makeEvent({ service: "checkout-api", errorType: "TypeError" }));
    expect(event).toMatchObject({
      errorType: "TypeError",
      service: "checkout-api",
      environment: "production",
      release: "shop@2.14.0",
      serverName: "web-3",
    });
  });
});

describe("service tokens", () => {
  const github = `ghp_${"A1b2C3d4E5".repeat(3)}f6G7h8`;
  it.each([
    ["GitHub classic", `token ${github} leaked`],
    ["GitHub OAuth", `x gho_${"a".repeat(36)} y`],
    ["GitHub app installation", `x ghs_${"Z9".repeat(18)} y`],
    ["GitHub fine-grained", `x github_pat_11ABCDEFG0abcdefghijkl_${"m".repeat(59)} y`],
    ["Stripe secret", `x sk_live_${"4eC39HqLyjWDarjtT1zdp7dc"} y`],
    ["Stripe restricted", `x rk_live_${"51H0abcdefghijKLMNOP"} y`],
    ["Slack bot", "x xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy y"],
    ["Slack user", "x xoxp-1234567890-abcdefghijk y"],
    ["Slack webhook", "x https://hooks.slack.com/services/T000/B000/XXXXXXXX y"],
    ["Google API key", `x AIza${"SyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY".slice(0, 35)} y`],
  ])("%s", (_name, text) => {
    const out = scrubString(text);
    expect(out).toMatch(/^(x|token) .*\[Filtered\].* (y|leaked)$/);
    expect(out).not.toMatch(/gh[pousr]_|github_pat_|_live_|xox[a-z]-|AIza|services\/T000/);
  });

  it("leave look-alikes shorter than a token alone", () => {
    for (const text of ["ghp_short", "sk_live_x", "xoxb-1", "AIza", "the_gh_ost"]) {
      expect(scrubString(text)).toBe(text);
    }
  });
});
