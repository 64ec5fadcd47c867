import { describe, expect, it } from "vitest";
import { type ScrubSettings, createProjectScrubbers } from "../../../src/scrub/index.js";

const settings = (over: Partial<ScrubSettings> = {}): ScrubSettings => ({
  extra_keys: [],
  extra_patterns: [],
  ip_addresses: false,
  ...over,
});

describe("project scrubbers", () => {
  it("compiles one scrubber per distinct settings, shared by projects and config re-reads", async () => {
    const byProject = new Map<number, ScrubSettings>([
      [1, settings({ extra_keys: ["iban"] })],
      [2, settings({ extra_keys: ["iban"] })],
      [3, settings()],
    ]);
    const scrubbers = createProjectScrubbers(async (id) => byProject.get(id) ?? settings());
    const first = await scrubbers.get(1);
    expect(await scrubbers.get(2)).toBe(first);
    expect(await scrubbers.get(3)).not.toBe(first);
    byProject.set(1, settings({ extra_keys: ["iban"] })); // re-read: a new, equal object
    expect(await scrubbers.get(1)).toBe(first);
    expect(first.scrubValue({ iban: "DE89 3704", name: "x" })).toEqual({
      iban: "[Filtered]",
      name: "x",
    });
  });

  it("applies the usable patterns when one cannot be used", async () => {
    const scrubbers = createProjectScrubbers(async () =>
      settings({ extra_patterns: ["a*", "ref=(?<secret>\\d+)", "("] }),
    );
    const scrubber = await scrubbers.get(1);
    expect(scrubber.scrubString("ref=123 and aaa")).toBe("ref=[Filtered] and aaa");
  });
});
