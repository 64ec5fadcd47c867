import { describe, expect, it } from "vitest";
import { parseLevel, severityFromLevel } from "../../../src/grouping/index.js";

describe("parseLevel", () => {
  it.each([
    ["error", "error"],
    ["ERR", "error"],
    ["warn", "warning"],
    ["WARNING", "warning"],
    [" Fatal ", "fatal"],
    ["critical", "critical"],
    ["emergency", "critical"],
    ["alert", "critical"],
    ["notice", "info"],
    ["info", "info"],
    ["trace", "debug"],
    ["debug", "debug"],
    [50, "error"], // pino
    [60, "fatal"],
    [40, "warning"],
    [3, "error"], // syslog
    [0, "critical"],
    ["4", "warning"],
  ])("%j -> %j", (input, expected) => {
    expect(parseLevel(input)).toBe(expected);
  });

  it.each([["loud"], [""], [null], [undefined], [{}], [2.5], [99], ["constructor"]])(
    "%j -> undefined",
    (input) => {
      expect(parseLevel(input)).toBeUndefined();
    },
  );
});

describe("severityFromLevel", () => {
  it.each([
    ["fatal", "critical"],
    ["critical", "critical"],
    ["error", "high"],
    ["warning", "medium"],
    ["info", "low"],
    ["debug", "low"],
  ] as const)("%s -> %s", (level, severity) => {
    expect(severityFromLevel(level)).toBe(severity);
  });
});
