/** `guardrails validate [FILE...]`: every problem of each policy file, as FILE:LINE:COL lines. */
import { loadPolicy } from "../../policy/loader.js";
import { POLICY_PATH } from "../../policy/schema.js";
import { flag, parseCommandArgs } from "../args.js";
import { CliError, EXIT } from "../errors.js";
import { VALIDATE_HELP } from "../help.js";
import type { Io } from "../io.js";
import { problemLines, readPolicyFile } from "../policy-source.js";

export function validateCommand(args: string[], io: Io): number {
  const { values, positionals } = parseCommandArgs(
    "validate",
    args,
    { org: { type: "boolean" } },
    Number.POSITIVE_INFINITY,
  );
  const organization = flag(values, "org");
  if (values.help) {
    io.stdout(VALIDATE_HELP);
    return EXIT.ok;
  }
  const files = positionals.length > 0 ? positionals : [POLICY_PATH];
  let exitCode: number = EXIT.ok;
  for (const file of files) {
    let text: string;
    try {
      text = readPolicyFile(file);
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      // The spec knows two outcomes, valid (0) or not (1): a file that cannot be read is not valid.
      io.stderr(`guardrails validate: ${error.message}\n`);
      exitCode = EXIT.problems;
      continue;
    }
    const result = loadPolicy(text, { organization });
    if (result.ok) {
      io.stdout(`${file}: ok\n`);
    } else {
      io.stdout(
        problemLines(file, result.problems)
          .map((line) => `${line}\n`)
          .join(""),
      );
      if (exitCode === EXIT.ok) exitCode = EXIT.problems;
    }
  }
  return exitCode;
}
