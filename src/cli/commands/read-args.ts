import { type ParseArgsConfig, parseArgs } from "node:util";
import type { BugStatus } from "../../bugs/known-bug.js";
import { CATEGORIES, type Category, isCategory } from "../../grouping/category.js";
import type { Severity } from "../../grouping/error-event.js";
import { ProjectNameError, parseFullName } from "../../projects/index.js";
import { TIME_PARAM_HELP, parseTimeParam } from "../../stats/time-param.js";
import { CliError } from "../cli-error.js";

/**
 * Flag parsing shared by the commands: each command declares its own flags, so a flag that
 * belongs to another command is an error, not silently ignored.
 */
export function parseCommandArgs<O extends NonNullable<ParseArgsConfig["options"]>>(
  argv: string[],
  options: O,
  usage: string,
) {
  return parseCommandLine(argv, options, usage, 0).values;
}

/** The same, with up to `maxPositionals` arguments besides the flags. */
export function parseCommandLine<O extends NonNullable<ParseArgsConfig["options"]>>(
  argv: string[],
  options: O,
  usage: string,
  maxPositionals: number,
) {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...options, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length > maxPositionals) {
      throw new CliError(`unexpected argument "${positionals[maxPositionals]}"\n\n${usage}`);
    }
    return { values, positionals };
  } catch (error) {
    if (error instanceof CliError) throw error;
    // node:util reports unknown flags and missing values as TypeError ERR_PARSE_ARGS_*.
    throw new CliError(`${(error as Error).message}\n\n${usage}`);
  }
}

const STATUSES: readonly BugStatus[] = ["open", "in_progress", "resolved", "wontfix", "ignored"];
const SEVERITIES: readonly Severity[] = ["critical", "high", "medium", "low"];

export function repoFlag(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    const { owner, name } = parseFullName(value);
    return `${owner}/${name}`;
  } catch (error) {
    if (error instanceof ProjectNameError) throw new CliError(`--repo: ${error.message}`);
    throw error;
  }
}

export function statusFlag(value: string | undefined): BugStatus | undefined {
  if (value === undefined) return undefined;
  if (!(STATUSES as readonly string[]).includes(value)) {
    throw new CliError(`--status: "${value}" is not one of ${STATUSES.join(", ")}`);
  }
  return value as BugStatus;
}

export function severityFlag(value: string | undefined): Severity | undefined {
  if (value === undefined) return undefined;
  if (!(SEVERITIES as readonly string[]).includes(value)) {
    throw new CliError(`--severity: "${value}" is not one of ${SEVERITIES.join(", ")}`);
  }
  return value as Severity;
}

export function categoryFlag(value: string | undefined): Category | undefined {
  if (value === undefined) return undefined;
  if (!isCategory(value)) {
    throw new CliError(`--category: "${value}" is not one of ${CATEGORIES.join(", ")}`);
  }
  return value;
}

export function limitFlag(value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > max) {
    throw new CliError(`--limit: expected a whole number from 1 to ${max}, got "${value}"`);
  }
  return n;
}

export function sinceFlag(value: string | undefined, fallback: string, now: Date): Date {
  const date = parseTimeParam(value ?? fallback, now);
  if (!date) throw new CliError(`--since: expected ${TIME_PARAM_HELP}, got "${value}"`);
  if (date.getTime() >= now.getTime()) throw new CliError("--since: must be in the past");
  return date;
}

export function oneOfFlag<T extends string>(
  flag: string,
  value: string | undefined,
  allowed: readonly T[],
  fallback?: T,
): T {
  if (value === undefined) {
    if (fallback !== undefined) return fallback;
    throw new CliError(`--${flag} is required: one of ${allowed.join(", ")}`);
  }
  if (!(allowed as readonly string[]).includes(value)) {
    throw new CliError(`--${flag}: "${value}" is not one of ${allowed.join(", ")}`);
  }
  return value as T;
}
