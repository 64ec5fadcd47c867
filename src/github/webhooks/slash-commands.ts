import { parseBugRef } from "../../bugs/known-bug.js";
import type { SeverityColumn } from "../../db/schema.js";

export type SlashCommand =
  | { cmd: "severity"; severity: SeverityColumn }
  | { cmd: "ignore" }
  | { cmd: "resolve"; release?: string; nextRelease?: true }
  | { cmd: "merge"; target: number };

export type SlashCommandResult = SlashCommand | { error: string } | null;

const SEVERITIES: readonly SeverityColumn[] = ["critical", "high", "medium", "low"];

export const SLASH_COMMAND_HELP =
  "Commands: /faultline severity <critical|high|medium|low>, /faultline ignore, /faultline resolve [in <release> | in next release], /faultline merge <B-NNN>";

/**
 * Finds the first line starting with `/faultline` in a comment body and parses it. Returns null
 * when there is no such line, `{ error }` when the command is malformed.
 */
export function parseSlashCommand(body: string | null | undefined): SlashCommandResult {
  if (!body) return null;
  const line = body
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => /^\/faultline(\s|$)/i.test(l));
  if (line === undefined) return null;
  const [, sub, ...args] = line.split(/\s+/);
  switch (sub?.toLowerCase()) {
    case "severity": {
      const severity = args[0]?.toLowerCase() as SeverityColumn | undefined;
      if (args.length !== 1 || !severity || !SEVERITIES.includes(severity)) {
        return { error: `Usage: /faultline severity <${SEVERITIES.join("|")}>` };
      }
      return { cmd: "severity", severity };
    }
    case "ignore":
      if (args.length > 0) return { error: "Usage: /faultline ignore" };
      return { cmd: "ignore" };
    case "resolve": {
      if (args.length === 0) return { cmd: "resolve" };
      if (
        args.length === 3 &&
        args[0]?.toLowerCase() === "in" &&
        args[1]?.toLowerCase() === "next" &&
        args[2]?.toLowerCase() === "release"
      ) {
        return { cmd: "resolve", nextRelease: true };
      }
      if (args.length === 2 && args[0]?.toLowerCase() === "in" && args[1]) {
        if (args[1].length > 200) return { error: "A release name has at most 200 characters." };
        return { cmd: "resolve", release: args[1] };
      }
      return { error: "Usage: /faultline resolve [in <release> | in next release]" };
    }
    case "merge": {
      const target = args.length === 1 && args[0] ? parseBugRef(args[0]) : null;
      if (target == null) return { error: "Usage: /faultline merge <B-NNN>" };
      return { cmd: "merge", target };
    }
    default:
      return {
        error: `${sub ? `Unknown command "${sub}". ` : ""}${SLASH_COMMAND_HELP}`,
      };
  }
}
