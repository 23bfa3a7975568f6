/**
 * The committed JSON Schema (schema/guardrails.schema.json, for editors' YAML validation) stays
 * equal to what the zod schema generates, is strict like the loader, and accepts the policies the
 * loader accepts.
 */
import { describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { BUILT_IN_POLICY_YAML, builtInPolicy } from "../../src/policy/default.js";
import { policyJsonSchema } from "../../src/policy/json-schema.js";
import { loadPolicy } from "../../src/policy/loader.js";
import { policySchema } from "../../src/policy/schema.js";

const SCHEMA_FILE = new URL("../../schema/guardrails.schema.json", import.meta.url);
const REGENERATE = "npm run build && node dist/cli/main.js schema > schema/guardrails.schema.json";

type JsonSchema = {
  type?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
};

/**
 * A validator for the keywords the generated schema uses (checked below), enough to see what an
 * editor would accept or reject. Returns the JSON paths of the values it rejects.
 */
function violations(schema: JsonSchema, value: unknown, at = "$"): string[] {
  if (schema.anyOf) return schema.anyOf.some((s) => violations(s, value, at).length === 0) ? [] : [at];
  if (schema.const !== undefined && value !== schema.const) return [at];
  if (schema.enum && !schema.enum.includes(value)) return [at];
  switch (schema.type) {
    case "object": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) return [at];
      const record = value as Record<string, unknown>;
      const out: string[] = [];
      for (const key of schema.required ?? []) if (!(key in record)) out.push(`${at}.${key}`);
      for (const [key, v] of Object.entries(record)) {
        const property = schema.properties?.[key];
        if (property) out.push(...violations(property, v, `${at}.${key}`));
        else if (schema.additionalProperties === false) out.push(`${at}.${key}`);
      }
      return out;
    }
    case "array": {
      if (!Array.isArray(value)) return [at];
      if (schema.minItems !== undefined && value.length < schema.minItems) return [at];
      if (schema.maxItems !== undefined && value.length > schema.maxItems) return [at];
      return value.flatMap((item, i) => (schema.items ? violations(schema.items, item, `${at}[${i}]`) : []));
    }
    case "string": {
      if (typeof value !== "string") return [at];
      if (schema.minLength !== undefined && value.length < schema.minLength) return [at];
      if (schema.maxLength !== undefined && value.length > schema.maxLength) return [at];
      if (schema.pattern !== undefined && !new RegExp(schema.pattern, "u").test(value)) return [at];
      return [];
    }
    case "integer":
    case "number": {
      if (typeof value !== "number" || (schema.type === "integer" && !Number.isInteger(value))) return [at];
      if (schema.minimum !== undefined && value < schema.minimum) return [at];
      if (schema.maximum !== undefined && value > schema.maximum) return [at];
      return [];
    }
    case "boolean":
      return typeof value === "boolean" ? [] : [at];
    default:
      return [];
  }
}

const KNOWN_KEYWORDS = new Set([
  "$schema",
  "title",
  "description",
  "default",
  "type",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "enum",
  "const",
  "anyOf",
  "minimum",
  "maximum",
  "minItems",
  "maxItems",
  "minLength",
  "maxLength",
  "pattern",
]);

/** Every schema object inside `schema`, itself included. */
function subschemas(schema: JsonSchema): JsonSchema[] {
  return [
    schema,
    ...Object.values(schema.properties ?? {}).flatMap(subschemas),
    ...(schema.items ? subschemas(schema.items) : []),
    ...(schema.anyOf ?? []).flatMap(subschemas),
  ];
}

const schema = policyJsonSchema() as JsonSchema;

describe("schema/guardrails.schema.json", () => {
  it("is exactly what policyJsonSchema() generates", () => {
    let committed: string;
    try {
      committed = readFileSync(SCHEMA_FILE, "utf8");
    } catch {
      throw new Error(`schema/guardrails.schema.json is missing; generate it with: ${REGENERATE}`);
    }
    const generated = `${JSON.stringify(policyJsonSchema(), null, 2)}\n`;
    if (committed !== generated) {
      throw new Error(
        `schema/guardrails.schema.json is out of date with src/policy/schema.ts; regenerate it with: ${REGENERATE}`,
      );
    }
    expect(committed).toBe(generated);
  });

  it("is a draft-07 schema of the policy with version required", () => {
    expect(schema).toMatchObject({
      $schema: "http://json-schema.org/draft-07/schema#",
      type: "object",
      required: ["version"],
    });
    expect(schema.properties?.version).toMatchObject({ const: 1 });
  });

  it("lists exactly the top-level keys of the zod schema", () => {
    expect(Object.keys(schema.properties ?? {})).toEqual(Object.keys(policySchema.shape));
  });

  it("rejects unknown keys at the top level and in every nested object", () => {
    expect(schema.additionalProperties).toBe(false);
    const objects = subschemas(schema).filter((s) => s.type === "object");
    expect(objects.length).toBeGreaterThan(10);
    expect(objects.filter((s) => s.additionalProperties !== false)).toEqual([]);
  });

  it("uses only keywords this test's validator understands", () => {
    const used = new Set(subschemas(schema).flatMap((s) => Object.keys(s)));
    expect([...used].filter((k) => !KNOWN_KEYWORDS.has(k))).toEqual([]);
  });

  it.each<[string, unknown, string[]]>([
    ["an unknown top-level key", { version: 1, defualt_tier: "low" }, ["$.defualt_tier"]],
    [
      "an unknown key in a rule",
      { version: 1, rules: [{ name: "a", tier: "low", paths: ["x"], path: ["y"] }] },
      ["$.rules[0].path"],
    ],
    ["an unknown tier name", { version: 1, tiers: { critical: {} } }, ["$.tiers.critical"]],
    ["a missing version", { default_tier: "low" }, ["$.version"]],
    ["version 2", { version: 2 }, ["$.version"]],
    ["a bad tier", { version: 1, default_tier: "urgent" }, ["$.default_tier"]],
    ["a bad rule name", { version: 1, rules: [{ name: "Auth", tier: "low", paths: ["x"] }] }, ["$.rules[0].name"]],
    ["an empty paths list", { version: 1, rules: [{ name: "a", tier: "low", paths: [] }] }, ["$.rules[0].paths"]],
    ["a label prefix of true", { version: 1, labels: { prefix: true } }, ["$.labels.prefix"]],
    ["a fractional approval count", { version: 1, tiers: { high: { approvals: 1.5 } } }, ["$.tiers.high.approvals"]],
  ])("rejects %s", (_name, value, paths) => {
    expect(violations(schema, value)).toEqual(paths);
    expect(policySchema.safeParse(value).success).toBe(false);
  });

  it.each<[string, string]>([
    ["the minimal policy", "version: 1\n"],
    ["the built-in policy", BUILT_IN_POLICY_YAML],
    [
      "a policy with every section",
      "version: 1\nrules:\n  - name: a\n    tier: high\n    paths: ['src/**']\n    exclude: ['**/*.md']\n    require:\n      approvers: [{ teams: [sec], users: [alice], count: 2 }]\n      checklist: [x]\nsize:\n  ignore: ['**/*.lock']\n  high: { files: 3 }\ntests:\n  exempt_label: skip\nticket:\n  pattern: 'X-\\d+'\nagents:\n  authors: ['*[bot]']\n  min_tier: high\npolicy_change:\n  require: { approvals: 2 }\napprovals:\n  stale: keep\ntiers:\n  low: {}\nlabels:\n  prefix: false\n",
    ],
  ])("accepts %s, as the loader does", (_name, text) => {
    expect(loadPolicy(text).ok).toBe(true);
    expect(violations(schema, parse(text))).toEqual([]);
  });
});

describe("the built-in policy", () => {
  it("loads", () => {
    const result = loadPolicy(BUILT_IN_POLICY_YAML);
    if (!result.ok) throw new Error(`the built-in policy has problems: ${JSON.stringify(result.problems)}`);
    expect(result.policy.version).toBe(1);
    expect(builtInPolicy()).toEqual(result.policy);
  });

  it("is the same object on every call (compiled once by the engine)", () => {
    expect(builtInPolicy()).toBe(builtInPolicy());
  });
});
