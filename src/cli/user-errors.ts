import { EnvError } from "../config/index.js";
import { EmbeddedDbBusyError, MigrationError } from "../db/index.js";
import { ProjectNameError } from "../projects/index.js";
import { CliError } from "./cli-error.js";

const USER_ERRORS = [CliError, EnvError, EmbeddedDbBusyError, ProjectNameError, MigrationError];

/** A mistake of the user's (a bad flag, an unknown repository): one line, exit code 2. */
export function isUserError(error: unknown): boolean {
  return (
    USER_ERRORS.some((E) => error instanceof E) ||
    (error instanceof TypeError &&
      "code" in error &&
      String(error.code).startsWith("ERR_PARSE_ARGS"))
  );
}
