/**
 * Thrown by `createScrubber` when repo config holds a pattern that cannot be used. Config
 * validation catches it to report the bad pattern to the repo owner (and fall back to the
 * default rules) instead of dropping reports.
 */
export class ScrubConfigError extends Error {
  readonly code = "SCRUB_CONFIG_INVALID";

  constructor(
    /** The offending `extraPatterns` entries, as written in the config. */
    readonly patterns: readonly string[],
    details: readonly string[],
  ) {
    super(
      `Invalid scrub pattern${patterns.length > 1 ? "s" : ""} in extraPatterns: ${details.join("; ")}. Fix or remove them in .github/faultline.yml; patterns are JavaScript regular expression sources.`,
    );
    this.name = "ScrubConfigError";
  }
}
