/**
 * Errors the command line reports as one line on stderr, with the exit code they stand for.
 * Anything else that reaches the top level is an internal error (also one line, also exit 2).
 */

/** Exit codes: 0 evaluated (or valid), 1 problems found (validate, check --strict), 2 could not run. */
export const EXIT = { ok: 0, problems: 1, error: 2 } as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.error,
    /** Extra lines printed after the message (policy problems as FILE:LINE:COL lines). */
    readonly details: readonly string[] = [],
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** A mistake in the command line itself: the message suggests the command's --help. */
export class UsageError extends CliError {
  constructor(
    message: string,
    readonly command?: string,
  ) {
    super(message, EXIT.error);
    this.name = "UsageError";
  }
}
