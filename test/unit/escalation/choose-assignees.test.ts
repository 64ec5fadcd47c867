import { describe, expect, it } from "vitest";
import { type Rotation, chooseAssignees, parseCodeowners } from "../../../src/escalation/index.js";

const NOW = new Date("2026-11-23T10:00:00.000Z");

const RULES = parseCodeowners(`
*                      @acme/core
/src/cart/             @carol @acme/checkout
/src/billing/          @acme/payments billing@acme.example
/src/search/           @dan @Dan @erin
/src/legacy/           legacy@acme.example
/src/generated/
/src/big/              @u1 @u2 @u3 @u4 @u5 @u6 @u7 @u8 @u9 @u10 @u11 @u12
`);

const rotation: Rotation = {
  people: ["oncall-1", "oncall-2"],
  start: new Date("2026-11-16T00:00:00.000Z"),
  periodMs: 7 * 24 * 3_600_000,
};

const frame = (path: string) => ({ filename: `/app/${path}`, inApp: true });

describe("chooseAssignees", () => {
  it("assigns the CODEOWNERS users of the top in-app frame and mentions its teams", () => {
    expect(
      chooseAssignees(
        {
          codeownersRules: RULES,
          topInAppFrame: frame("src/cart/checkout.ts"),
          rotation,
          defaultAssignees: ["lead"],
        },
        NOW,
      ),
    ).toEqual({ logins: ["carol"], reason: "codeowners", teams: ["acme/checkout"] });
  });

  it("falls through to on-call when only teams own the file, still naming the teams", () => {
    expect(
      chooseAssignees(
        {
          codeownersRules: RULES,
          topInAppFrame: frame("src/billing/invoice.ts"),
          rotation,
          defaultAssignees: ["lead"],
        },
        NOW,
      ),
    ).toEqual({ logins: ["oncall-2"], reason: "oncall", teams: ["acme/payments"] });
  });

  it("falls through to defaults when only teams own it and nobody is on call", () => {
    expect(
      chooseAssignees(
        {
          codeownersRules: RULES,
          topInAppFrame: frame("src/index.ts"),
          defaultAssignees: ["@lead", "deputy"],
        },
        NOW,
      ),
    ).toEqual({ logins: ["lead", "deputy"], reason: "default", teams: ["acme/core"] });
  });

  it("ignores e-mail owners", () => {
    expect(
      chooseAssignees(
        { codeownersRules: RULES, topInAppFrame: frame("src/legacy/x.ts"), defaultAssignees: [] },
        NOW,
      ),
    ).toEqual({ logins: [], reason: "none", teams: [] });
  });

  it("treats an un-owned path like no owner", () => {
    expect(
      chooseAssignees(
        {
          codeownersRules: RULES,
          topInAppFrame: frame("src/generated/api.ts"),
          rotation,
          defaultAssignees: ["lead"],
        },
        NOW,
      ),
    ).toEqual({ logins: ["oncall-2"], reason: "oncall", teams: [] });
  });

  it("drops duplicate logins case-insensitively, keeping the first spelling", () => {
    expect(
      chooseAssignees(
        { codeownersRules: RULES, topInAppFrame: frame("src/search/q.ts"), defaultAssignees: [] },
        NOW,
      ).logins,
    ).toEqual(["dan", "erin"]);
  });

  it("never returns more than 10 assignees", () => {
    const fromOwners = chooseAssignees(
      { codeownersRules: RULES, topInAppFrame: frame("src/big/x.ts"), defaultAssignees: [] },
      NOW,
    );
    expect(fromOwners.logins).toEqual([
      "u1",
      "u2",
      "u3",
      "u4",
      "u5",
      "u6",
      "u7",
      "u8",
      "u9",
      "u10",
    ]);
    const defaults = Array.from({ length: 15 }, (_, i) => `d${i + 1}`);
    expect(chooseAssignees({ defaultAssignees: defaults }, NOW).logins).toHaveLength(10);
  });

  it("goes straight to on-call without CODEOWNERS or without a frame", () => {
    const base = { rotation, defaultAssignees: ["lead"] };
    const expected = { logins: ["oncall-2"], reason: "oncall", teams: [] };
    expect(chooseAssignees({ ...base, codeownersRules: null }, NOW)).toEqual(expected);
    expect(chooseAssignees({ ...base, codeownersRules: RULES }, NOW)).toEqual(expected);
    expect(chooseAssignees({ ...base, codeownersRules: RULES, topInAppFrame: {} }, NOW)).toEqual(
      expected,
    );
  });

  it("uses defaults before the rotation starts", () => {
    const early = new Date("2026-11-15T23:59:59.999Z");
    expect(chooseAssignees({ rotation, defaultAssignees: ["lead"] }, early)).toEqual({
      logins: ["lead"],
      reason: "default",
      teams: [],
    });
  });

  it("follows the clock it is given for the rotation", () => {
    const nextWeek = new Date("2026-11-30T00:00:00.000Z");
    expect(chooseAssignees({ rotation, defaultAssignees: [] }, nextWeek).logins).toEqual([
      "oncall-1",
    ]);
  });

  it("says none when there is nobody at all", () => {
    expect(chooseAssignees({ defaultAssignees: ["", "  "] }, NOW)).toEqual({
      logins: [],
      reason: "none",
      teams: [],
    });
  });

  it("assigns the suspect commit's author first by default; escalation.assign reorders", () => {
    const input = {
      codeownersRules: RULES,
      topInAppFrame: frame("src/cart/checkout.ts"),
      rotation,
      defaultAssignees: ["lead"],
      suspectLogin: "bob",
    };
    // Teams are mentioned whatever decided the assignees.
    expect(chooseAssignees(input, NOW)).toEqual({
      logins: ["bob"],
      reason: "suspect",
      teams: ["acme/checkout"],
    });
    const codeownersFirst = chooseAssignees(
      { ...input, order: ["codeowners", "suspect", "oncall", "default"] },
      NOW,
    );
    expect(codeownersFirst).toEqual({
      logins: ["carol"],
      reason: "codeowners",
      teams: ["acme/checkout"],
    });
    expect(chooseAssignees({ ...input, order: ["default", "suspect"] }, NOW)).toMatchObject({
      logins: ["lead"],
      reason: "default",
    });
    // Left out of the order: never used.
    expect(chooseAssignees({ ...input, order: ["oncall"] }, NOW).reason).toBe("oncall");
    expect(chooseAssignees({ ...input, order: [] }, NOW).reason).toBe("none");
  });

  it("skips a suspect without a GitHub account or made by a bot", () => {
    const base = { rotation, defaultAssignees: [] as string[] };
    for (const suspectLogin of [null, "", "dependabot[bot]"]) {
      expect(chooseAssignees({ ...base, suspectLogin }, NOW).reason).toBe("oncall");
    }
  });
});
