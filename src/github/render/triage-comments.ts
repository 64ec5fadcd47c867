import { bugRef } from "./bug-ref.js";
import { escapeInline, inlineCode } from "./markdown.js";

/** GitHub URLs only: anything else is shown as text, never as a link. */
export function githubLink(text: string, url: string | null | undefined): string {
  if (!url || !/^https:\/\/[^\s()<>]+$/i.test(url)) return text;
  return `[${text}](${url})`;
}

const VIA_TEXT = {
  title: "in its title",
  body: "in its description",
  commit: "in a commit message",
  issue: "by closing this issue",
} as const;

export type ResolvePolicy = "merged" | "next_release" | "off";

/** The one comment on a bug's issue when a pull request says it fixes the bug. */
export function renderPullRequestLinkComment(input: {
  bugNumber: number;
  pr: { number: number; url: string; title: string };
  via: keyof typeof VIA_TEXT;
  policy: ResolvePolicy;
}): string {
  const ref = bugRef(input.bugNumber);
  const pr = githubLink(`#${input.pr.number}`, input.pr.url);
  const then =
    input.policy === "off"
      ? `Merging it does not resolve ${ref} (\`pull_requests.resolve: off\`).`
      : input.policy === "next_release"
        ? `When it is merged into the default branch, ${ref} is resolved in the next release: events from releases seen until then are counted, the first event from a newer release reopens it.`
        : `When it is merged into the default branch, ${ref} is resolved.`;
  return [
    `Pull request ${pr} (${escapeInline(input.pr.title.slice(0, 300))}) says it fixes ${ref} ${VIA_TEXT[input.via]}.`,
    then,
  ].join(" ");
}

/** Posted when Faultline closes the issue of a bug a merged change resolved. */
export function renderResolvedByChangeComment(input: {
  bugNumber: number;
  pullRequest?: { number: number; url: string };
  commit?: { sha: string; url?: string };
  nextRelease: boolean;
}): string {
  const ref = bugRef(input.bugNumber);
  const parts: string[] = [];
  if (input.pullRequest) {
    parts.push(githubLink(`#${input.pullRequest.number}`, input.pullRequest.url));
  }
  if (input.commit) {
    const sha = /^[0-9a-f]{7,64}$/i.test(input.commit.sha) ? input.commit.sha.slice(0, 7) : "";
    if (sha) {
      const link = githubLink(inlineCode(sha), input.commit.url);
      parts.push(input.pullRequest ? `(merge commit ${link})` : `commit ${link}`);
    }
  }
  const by = parts.length > 0 ? ` by ${parts.join(" ")}` : "";
  const when = input.nextRelease
    ? " in the next release: events from releases seen so far are counted, the first event from a newer release reopens it"
    : "";
  return `${ref} was resolved${by}${when}.`;
}
