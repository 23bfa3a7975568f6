/** `guardrails schema`: the JSON Schema of the policy, for editors; with --decision, of `check --json`'s output; with --error, of the --json error output. */
import { policyJsonSchema } from "../../policy/json-schema.js";
import { flag, parseCommandArgs } from "../args.js";
import { decisionJsonSchema } from "../../report/decision-schema.js";
import { errorJsonSchema } from "../error-schema.js";
import { EXIT, UsageError } from "../errors.js";
import { SCHEMA_HELP } from "../help.js";
import type { Io } from "../io.js";

export function schemaCommand(args: string[], io: Io): number {
  const { values } = parseCommandArgs("schema", args, { decision: { type: "boolean" }, error: { type: "boolean" } }, 0);
  if (values.help) {
    io.stdout(SCHEMA_HELP);
    return EXIT.ok;
  }
  if (flag(values, "decision") && flag(values, "error"))
    throw new UsageError("--decision and --error exclude each other", "schema");
  const schema = flag(values, "decision")
    ? decisionJsonSchema()
    : flag(values, "error")
      ? errorJsonSchema()
      : policyJsonSchema();
  io.stdout(`${JSON.stringify(schema, null, 2)}\n`);
  return EXIT.ok;
}
