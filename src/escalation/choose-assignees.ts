/**
 * Who a bug's issue is assigned to when escalation assigns it: by default the author of the
 * suspect commit (who last changed the line that threw), else the CODEOWNERS owners of the file
 * that threw, else whoever is on call, else the configured defaults; `escalation.assign` orders
 * (or leaves out) these sources.
 */
import { ASSIGNEE_SOURCES, type AssigneeSource } from "../config/repo-config.js";
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
  /** The suspect commit's author's GitHub login, when the blame found one. */
  suspectLogin?: string | null;
  /** Sources in the order tried, first found wins; default suspect, codeowners, oncall, default. */
  order?: readonly AssigneeSource[];
}

export interface AssigneeChoice {
  /** Logins without `@`, ready for the assignees API; at most 10. */
  logins: string[];
  reason: AssigneeSource | "none";
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

  for (const source of input.order ?? ASSIGNEE_SOURCES) {
    switch (source) {
      case "suspect": {
        // A bot's commit (dependabot, a release workflow) has nobody to assign.
        const login = input.suspectLogin?.trim().replace(/^@/, "");
        if (login && !/\[bot\]$/i.test(login)) return { logins: [login], reason: "suspect", teams };
        break;
      }
      case "codeowners":
        if (users.length > 0) {
          return { logins: users.slice(0, MAX_ASSIGNEES), reason: "codeowners", teams };
        }
        break;
      case "oncall": {
        const onCall = input.rotation ? onCallAt(input.rotation, now) : undefined;
        if (onCall !== undefined) return { logins: [onCall], reason: "oncall", teams };
        break;
      }
      case "default": {
        const defaults = uniqueLogins(input.defaultAssignees);
        if (defaults.length > 0) {
          return { logins: defaults.slice(0, MAX_ASSIGNEES), reason: "default", teams };
        }
        break;
      }
    }
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
