import { describe, expect, it } from "vitest";
import {
  MAX_TITLE_LENGTH,
  bugRef,
  issueMarker,
  issueTitle,
  parseBugRef,
  parseIssueMarker,
} from "../../../../src/github/render/index.js";
import { nodeTypeErrorBug } from "./fixtures.js";

describe("bugRef", () => {
  it.each([
    [7, "B-007"],
    [42, "B-042"],
    [999, "B-999"],
    [1000, "B-1000"],
    [123456, "B-123456"],
  ])("%i -> %s", (n, ref) => {
    expect(bugRef(n)).toBe(ref);
    expect(parseBugRef(ref)).toBe(n);
  });

  it("parses loosely and rejects the rest", () => {
    expect(parseBugRef("b-7")).toBe(7);
    expect(parseBugRef("B-0")).toBeNull();
    expect(parseBugRef("#7")).toBeNull();
  });
});

describe("issueTitle", () => {
  it("joins ref, title and culprit", () => {
    expect(issueTitle(nodeTypeErrorBug())).toMatchInlineSnapshot(
      `"B-007: TypeError: Cannot read properties of undefined (reading 'id') in cart/checkout.ts"`,
    );
    expect(issueTitle(nodeTypeErrorBug({ culprit: undefined }))).toBe(
      "B-007: TypeError: Cannot read properties of undefined (reading 'id')",
    );
  });

  it("folds line breaks and does not repeat a culprit already in the title", () => {
    expect(issueTitle({ number: 12, title: "Error: a\n  b", culprit: "a" })).toBe(
      "B-012: Error: a b",
    );
  });

  it("truncates to 256 characters, keeping ref and a short culprit", () => {
    const title = issueTitle(
      nodeTypeErrorBug({ title: `Error: ${"very long message ".repeat(30)}` }),
    );
    expect(title.length).toBeLessThanOrEqual(MAX_TITLE_LENGTH);
    expect(title.length).toBeGreaterThan(MAX_TITLE_LENGTH - 20);
    expect(title).toMatch(/^B-007: Error: very long message/);
    expect(title).toMatch(/very… in cart\/checkout\.ts$/);
    const longCulprit = issueTitle(nodeTypeErrorBug({ culprit: "c".repeat(300) }));
    expect(longCulprit.length).toBeLessThanOrEqual(MAX_TITLE_LENGTH);
    expect(longCulprit.endsWith("…")).toBe(true);
  });

  it("does not split a surrogate pair", () => {
    const title = issueTitle({ number: 1, title: "😀".repeat(200) });
    expect(title.length).toBeLessThanOrEqual(MAX_TITLE_LENGTH);
    expect(() => encodeURIComponent(title)).not.toThrow();
  });
});

describe("issue marker", () => {
  it("round-trips, even with characters that would end an HTML comment", () => {
    for (const fingerprint of ["3f2a9c1e7b", "a-->b c", "sha256:ab/cd+=", ""]) {
      const marker = issueMarker({ number: 1234, fingerprint });
      expect(marker.slice(4, -3)).not.toContain("--");
      expect(parseIssueMarker(`Intro\n${marker}\nrest`)).toEqual({
        ref: "B-1234",
        number: 1234,
        fingerprint,
      });
    }
    expect(issueMarker(nodeTypeErrorBug())).toMatchInlineSnapshot(
      `"<!-- faultline:B-007 fp=3f2a9c1e7b -->"`,
    );
  });

  it("reads the short form from DESIGN.md and rejects bodies without a marker", () => {
    expect(parseIssueMarker("<!-- faultline:B-007 -->")).toEqual({
      ref: "B-007",
      number: 7,
      fingerprint: "",
    });
    expect(parseIssueMarker("just a human issue mentioning faultline:B-007")).toBeNull();
  });
});
