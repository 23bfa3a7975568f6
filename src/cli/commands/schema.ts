/** `guardrails schema`: the JSON Schema of the policy, for editors. */
import { policyJsonSchema } from "../../policy/json-schema.js";
import { parseCommandArgs } from "../args.js";
import { EXIT } from "../errors.js";
import { SCHEMA_HELP } from "../help.js";
import type { Io } from "../io.js";

export function schemaCommand(args: string[], io: Io): number {
  const { values } = parseCommandArgs("schema", args, {}, 0);
  if (values.help) {
    io.stdout(SCHEMA_HELP);
    return EXIT.ok;
  }
  io.stdout(`${JSON.stringify(policyJsonSchema(), null, 2)}\n`);
  return EXIT.ok;
}
