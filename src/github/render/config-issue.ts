import { renderConfigErrorComment } from "./comments.js";

/**
 * The one issue per repository that shows the errors of `.github/faultline.yml`. The hidden
 * marker lets the worker find it again (search) when its number was never recorded.
 */
export const CONFIG_ISSUE_MARKER = "<!-- faultline:config -->";
export const CONFIG_ISSUE_TITLE = "Faultline: .github/faultline.yml has errors";

/** Marker, the list of errors (with "the defaults are used"), and how the issue goes away. */
export function renderConfigIssueBody(errors: readonly string[]): string {
  return [
    CONFIG_ISSUE_MARKER,
    renderConfigErrorComment([...errors]),
    "",
    "<sub>Opened by Faultline. This issue is updated when the file changes and closed once it is valid.</sub>",
  ].join("\n");
}

/** Posted when the file is valid again (or removed), right before the issue is closed. */
export function renderConfigFixedComment(): string {
  return "`.github/faultline.yml` is valid now: every setting is read from the file again. Closing this issue.";
}

export function hasConfigIssueMarker(body: string | null | undefined): boolean {
  return (body ?? "").includes(CONFIG_ISSUE_MARKER);
}
