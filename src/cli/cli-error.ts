/** A user mistake: printed as one line naming the problem, exit code 2, no stack trace. */
export class CliError extends Error {
  override name = "CliError";
}
