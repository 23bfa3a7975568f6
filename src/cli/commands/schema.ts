/** `guardrails schema`: the JSON Schema of the policy, for editors; with --decision, of `check --json`'s output. */
import { policyJsonSchema } from "../../policy/json-schema.js";
import { flag, parseCommandArgs } from "../args.js";
import { decisionJsonSchema } from "../../report/decision-schema.js";
import { EXIT } from "../errors.js";
import { SCHEMA_HELP } from "../help.js";
import type { Io } from "../io.js";

export function schemaCommand(args: string[], io: Io): number {
  const { values } = parseCommandArgs("schema", args, { decision: { type: "boolean" } }, 0);
  if (values.help) {
    io.stdout(SCHEMA_HELP);
    return EXIT.ok;
  }
  io.stdout(`${JSON.stringify(flag(values, "decision") ? decisionJsonSchema() : policyJsonSchema(), null, 2)}\n`);
  return EXIT.ok;
}
