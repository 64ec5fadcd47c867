export { computeDigest } from "./compute-digest.js";
export type { DigestData } from "./digest-data.js";
export { createDigestHandler } from "./digest-handler.js";
export { DIGEST_ISSUE_TITLE, DIGEST_MARKER, renderDigest } from "./render-digest.js";
export { DIGEST_KIND, digestKey, runDigests, type RunDigestsDeps } from "./run-digests.js";
