/**
 * `guardrails validate [FILE...|-]`: every problem of each policy file, as FILE:LINE:COL lines
 * (`-` reads standard input), or with --json one object for scripts.
 */
import { loadPolicy, type PolicyProblem } from "../../policy/loader.js";
import { POLICY_PATH } from "../../policy/schema.js";
import { flag, parseCommandArgs } from "../args.js";
import { withJsonErrors } from "../error-schema.js";
import { CliError, EXIT } from "../errors.js";
import { VALIDATE_HELP } from "../help.js";
import type { Io } from "../io.js";
import { problemLines, readPolicyFile, readPolicyStdin } from "../policy-source.js";

/** What --json prints for one file: valid or not, its problems, or why it could not be read. */
export interface ValidatedFile {
  file: string;
  ok: boolean;
  problems: PolicyProblem[];
  error?: string;
}

export const VALIDATE_OUTPUT_VERSION = 1;

export function validateCommand(args: string[], io: Io): number {
  const { values, positionals } = parseCommandArgs(
    "validate",
    args,
    { org: { type: "boolean" }, json: { type: "boolean" } },
    Number.POSITIVE_INFINITY,
  );
  if (values.help) {
    io.stdout(VALIDATE_HELP);
    return EXIT.ok;
  }
  const json = flag(values, "json");
  return withJsonErrors(json, io, () => {
    const files = positionals.length > 0 ? positionals : [POLICY_PATH];
    if (files.filter((file) => file === "-").length > 1) throw new CliError("standard input (-) can be read only once");
    const results = files.map((file) => {
      const result = validateFile(file, flag(values, "org"), io);
      if (!json && result.error === undefined)
        io.stdout(result.ok ? `${result.file}: ok\n` : problemLines(result.file, result.problems).join("\n") + "\n");
      return result;
    });
    if (json) io.stdout(`${JSON.stringify({ version: VALIDATE_OUTPUT_VERSION, files: results }, null, 2)}\n`);
    // The spec knows two outcomes, valid (0) or not (1): a file that cannot be read is not valid.
    return results.every((result) => result.ok) ? EXIT.ok : EXIT.problems;
  });
}

function validateFile(file: string, organization: boolean, io: Io): ValidatedFile {
  const label = file === "-" ? "<stdin>" : file;
  let text: string;
  try {
    text = file === "-" ? readPolicyStdin() : readPolicyFile(file);
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    io.stderr(`guardrails validate: ${error.message}\n`);
    return { file: label, ok: false, problems: [], error: error.message };
  }
  const result = loadPolicy(text, { organization });
  return { file: label, ok: result.ok, problems: result.ok ? [] : result.problems };
}
