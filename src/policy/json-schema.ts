import { z } from "zod";
import { policySchema } from "./schema.js";

/** The JSON Schema of the policy as users write it (defaults optional), for editors. */
export function policyJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(policySchema, { io: "input", target: "draft-7", unrepresentable: "any" });
  return schema;
}
