/** What a removed secret becomes, the same marker Sentry and GlitchTip show. */
export const FILTERED = "[Filtered]";

/** Replaces objects/arrays nested past the depth limit: hostile payloads cannot blow the stack. */
export const FILTERED_TOO_DEEP = "[Filtered: too deep]";

/** Replaces a reference back to an ancestor, so cyclic input cannot loop forever. */
export const FILTERED_CIRCULAR = "[Filtered: circular]";
