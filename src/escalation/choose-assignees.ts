/**
 * Who a bug's issue is assigned to when escalation assigns it: the CODEOWNERS owners of the file
 * that threw, else whoever is on call, else the configured defaults.
 */
import { type CodeownersRule, isTeamOwner, isUserOwner } from "./codeowners.js";
import { type Rotation, onCallAt } from "./on-call.js";
import { ownersForFrame } from "./owners-for-frame.js";
import type { FrameLocation, RepoPathOptions } from "./repo-path-for-frame.js";

/** GitHub refuses more than 10 assignees on an issue. */
export const MAX_ASSIGNEES = 10;

export interface AssigneeInput {
  /** Parsed CODEOWNERS of the repo; null/undefined when the repo has none. */
  codeownersRules?: readonly CodeownersRule[] | null;
  topInAppFrame?: FrameLocation | null;
  rotation?: Rotation | null;
  defaultAssignees: readonly string[];
  repoPathOptions?: RepoPathOptions;
}

export interface AssigneeChoice {
  /** Logins without `@`, ready for the assignees API; at most 10. */
  logins: string[];
  reason: "codeowners" | "oncall" | "default" | "none";
  /**
   * `org/team` slugs (without `@`) owning the file. Teams cannot be assigned on GitHub, so they
   * are returned to be @mentioned, whatever decided the assignees.
   */
  teams: string[];
}

export function chooseAssignees(input: AssigneeInput, now: Date): AssigneeChoice {
  const owners =
    input.codeownersRules && input.topInAppFrame
      ? ownersForFrame(input.codeownersRules, input.topInAppFrame, input.repoPathOptions)
      : [];
  // E-mail owners are ignored: GitHub maps them to accounts we cannot see from here.
  const users = uniqueLogins(owners.filter(isUserOwner));
  const teams = [...new Set(owners.filter(isTeamOwner).map((t) => t.slice(1)))];

  if (users.length > 0)
    return { logins: users.slice(0, MAX_ASSIGNEES), reason: "codeowners", teams };

  const onCall = input.rotation ? onCallAt(input.rotation, now) : undefined;
  if (onCall !== undefined) return { logins: [onCall], reason: "oncall", teams };

  const defaults = uniqueLogins(input.defaultAssignees);
  if (defaults.length > 0) {
    return { logins: defaults.slice(0, MAX_ASSIGNEES), reason: "default", teams };
  }
  return { logins: [], reason: "none", teams };
}

/** Strips `@`, drops blanks and duplicates (GitHub logins are case-insensitive), keeps order. */
function uniqueLogins(raw: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const entry of raw) {
    const login = entry.trim().replace(/^@/, "");
    const key = login.toLowerCase();
    if (login === "" || seen.has(key)) continue;
    seen.add(key);
    out.push(login);
  }
  return out;
}
