/**
 * Hostile input for the loader: whatever text it is given, it returns a policy or problems, never
 * throws, and every problem points at a line and column inside the file.
 */
import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { readdirSync, readFileSync } from "node:fs";
import { stringify } from "yaml";
import { BUILT_IN_POLICY_YAML } from "../../src/policy/default.js";
import { loadPolicy } from "../../src/policy/loader.js";

const examplesDir = new URL("../../examples/", import.meta.url);
const seeds = [
  BUILT_IN_POLICY_YAML,
  ...readdirSync(examplesDir)
    .filter((name) => name.endsWith(".yml"))
    .map((name) => readFileSync(new URL(name, examplesDir), "utf8")),
];

/** Asserts the loader's contract on one text. */
function expectWellFormed(text: string): void {
  const result = loadPolicy(text);
  if (result.ok) return;
  expect(result.problems.length).toBeGreaterThan(0);
  const lines = text.split(/\r\n|\r|\n/);
  for (const problem of result.problems) {
    expect(problem.message.length).toBeGreaterThan(0);
    expect(problem.line).toBeGreaterThanOrEqual(1);
    expect(problem.column).toBeGreaterThanOrEqual(1);
    // A problem may point just past the last line (the end of the file), never further.
    expect(problem.line).toBeLessThanOrEqual(lines.length + 1);
    const line = lines[problem.line - 1] ?? "";
    expect(problem.column).toBeLessThanOrEqual(line.length + 1);
  }
}

type Mutation =
  | { kind: "delete" | "insert" | "replace"; at: number; text: string }
  | { kind: "swap" | "duplicate" | "indent" | "dedent"; line: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constantFrom("delete" as const, "insert" as const, "replace" as const),
    at: fc.nat(),
    text: fc.oneof(
      fc.string({ maxLength: 3 }),
      fc.constantFrom(
        ":",
        "-",
        "[",
        "]",
        "{",
        "}",
        "'",
        '"',
        "*",
        "!",
        "&a",
        "*a",
        "\t",
        "\n",
        "  ",
        "#",
        "|",
        ">",
        "?",
      ),
    ),
  }),
  fc.record({
    kind: fc.constantFrom("swap" as const, "duplicate" as const, "indent" as const, "dedent" as const),
    line: fc.nat(),
  }),
);

function mutate(text: string, mutations: Mutation[]): string {
  let out = text;
  for (const m of mutations) {
    if (m.kind === "delete" || m.kind === "insert" || m.kind === "replace") {
      const at = out.length === 0 ? 0 : m.at % (out.length + 1);
      out =
        m.kind === "delete"
          ? out.slice(0, at) + out.slice(at + 1)
          : m.kind === "insert"
            ? out.slice(0, at) + m.text + out.slice(at)
            : out.slice(0, at) + m.text + out.slice(at + m.text.length);
      continue;
    }
    const lines = out.split("\n");
    const i = (m as { line: number }).line % lines.length;
    if (m.kind === "swap" && i + 1 < lines.length) [lines[i], lines[i + 1]] = [lines[i + 1]!, lines[i]!];
    if (m.kind === "duplicate") lines.splice(i, 0, lines[i]!);
    if (m.kind === "indent") lines[i] = `  ${lines[i]}`;
    if (m.kind === "dedent") lines[i] = lines[i]!.replace(/^ {1,2}/, "");
    out = lines.join("\n");
  }
  return out;
}

const glob = fc.constantFrom(
  "src/**",
  "**/*.md",
  "docs/**",
  "infra/**/*.tf",
  ".github/workflows/**",
  "{a,b}/**",
  "!x/**",
  "src/{a",
  "/abs/**",
  "x/",
);
const tierValue = fc.constantFrom("low", "medium", "high", "hihg", 3, null);
const requirement = fc.record(
  {
    approvals: fc.oneof(fc.nat({ max: 5 }), fc.constant(-1), fc.constant("two")),
    tests: fc.oneof(fc.boolean(), fc.constant("yes")),
    ticket: fc.boolean(),
    checklist: fc.array(fc.string({ maxLength: 20 }), { maxLength: 3 }),
    approvers: fc.array(
      fc.record(
        {
          teams: fc.array(fc.constantFrom("security", "platform", "Bad Team"), { maxLength: 2 }),
          users: fc.array(fc.constantFrom("alice", "bob", "-bad-"), { maxLength: 2 }),
          count: fc.integer({ min: -1, max: 3 }),
        },
        { requiredKeys: [] },
      ),
      { maxLength: 2 },
    ),
  },
  { requiredKeys: [] },
);

/** Policy-shaped objects, valid or not: the schema, not the YAML parser, has to find the faults. */
const policyObject = fc.record(
  {
    version: fc.constantFrom(1, 1, 1, 2, "1"),
    default_tier: tierValue,
    rules: fc.array(
      fc.record(
        {
          name: fc.constantFrom("docs", "auth", "infra", "Bad Name", "docs"),
          tier: tierValue,
          paths: fc.array(glob, { maxLength: 3 }),
          exclude: fc.array(glob, { maxLength: 2 }),
          require: requirement,
          unknown_key: fc.constant(1),
        },
        { requiredKeys: ["name", "tier", "paths"] },
      ),
      { maxLength: 4 },
    ),
    size: fc.record(
      {
        ignore: fc.array(glob, { maxLength: 2 }),
        medium: fc.record(
          { lines: fc.integer({ min: -5, max: 500 }), files: fc.nat({ max: 50 }) },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: [] },
    ),
    ticket: fc.record({ pattern: fc.constantFrom("[A-Z]+-[0-9]+", "(a)\\1", "(?=x)", "(", "(a+)+$") }),
    agents: fc.record(
      { authors: fc.array(fc.constantFrom("*[bot]", "copilot-swe-agent", ""), { maxLength: 2 }), min_tier: tierValue },
      { requiredKeys: [] },
    ),
    tiers: fc.record({ low: requirement, medium: requirement, high: requirement }, { requiredKeys: [] }),
    labels: fc.record({ prefix: fc.oneof(fc.constant(false), fc.constant(true), fc.constantFrom("risk:", "")) }),
    approvals: fc.record({ stale: fc.constantFrom("discard", "keep", "never") }),
  },
  { requiredKeys: ["version"] },
);

describe("loadPolicy on hostile input", () => {
  it("never throws on arbitrary text, and every problem is inside the file", () => {
    fc.assert(fc.property(fc.string({ unit: "grapheme", maxLength: 300 }), expectWellFormed), { numRuns: 500 });
  });

  it("never throws on arbitrary bytes decoded as text", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => expectWellFormed(Buffer.from(bytes).toString("utf8"))),
      { numRuns: 300 },
    );
  });

  it("never throws on mutations of real policies (examples and the built-in default)", () => {
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.array(mutation, { minLength: 1, maxLength: 6 }), (seed, mutations) =>
        expectWellFormed(mutate(seed, mutations)),
      ),
      { numRuns: 1500 },
    );
  });

  it("never throws on generated policy-shaped documents, valid or not", () => {
    fc.assert(
      fc.property(policyObject, (object) => expectWellFormed(stringify(object))),
      { numRuns: 500 },
    );
  });

  it("accepts what it should: every example and the built-in default load", () => {
    // The organisation example says `enforce`, which only the organisation policy may.
    for (const seed of seeds) expect(loadPolicy(seed, { organization: true }).ok).toBe(true);
  });
});
