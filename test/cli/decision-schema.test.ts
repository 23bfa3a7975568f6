/**
 * `guardrails check --json` is a contract: schema/decision.schema.json stays equal to the zod
 * schema it is generated from, and real outputs (every checkJson of the CLI tests, and the richest
 * one here) match it strictly, so a key added to the output without documenting it fails.
 */
import { afterAll, describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import { decisionJsonSchema, decisionOutputSchema, DECISION_OUTPUT_VERSION } from "../../src/report/decision-schema.js";
import { assertBuilt, lines, removeTempDirs, TempRepo } from "./helpers.js";

const SCHEMA_FILE = new URL("../../schema/decision.schema.json", import.meta.url);
const REGENERATE = "npm run build && node dist/cli/main.js schema --decision > schema/decision.schema.json";

afterAll(removeTempDirs);

const POLICY = `version: 1
rules:
  - name: auth
    tier: high
    description: Sign-in and sessions
    paths: ["src/auth/**"]
    require:
      approvers: [{ teams: [security], users: [alice] }]
      checklist: [Threat model reviewed]
size:
  medium: { lines: 50 }
tests:
  source: ["src/**"]
  tests: ["test/**"]
ticket:
  pattern: "[A-Z]+-[0-9]+"
agents:
  co_authors: ["*claude*"]
tiers:
  high: { approvals: 2, tests: true, ticket: true }
`;

/** The parts of a JSON Schema this test walks. */
interface JsonSchema {
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
}

describe("the decision output's JSON Schema", () => {
  it(`is committed as generated (${REGENERATE})`, () => {
    expect(JSON.parse(readFileSync(SCHEMA_FILE, "utf8"))).toEqual(decisionJsonSchema());
  });

  it("is what `guardrails schema --decision` prints", () => {
    assertBuilt();
    const repo = new TempRepo().commit("init", { "README.md": "x\n" });
    const result = repo.run(["schema", "--decision"]);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(decisionJsonSchema());
  });

  it("describes every key (docs/cli.md lists them too)", () => {
    const docs = readFileSync(new URL("../../docs/cli.md", import.meta.url), "utf8");
    const keys = new Set<string>();
    const walk = (schema: JsonSchema) => {
      for (const [key, value] of Object.entries(schema.properties ?? {})) {
        keys.add(key);
        walk(value);
        if (value.items) walk(value.items);
      }
    };
    walk(decisionJsonSchema());
    const undocumented = [...keys].filter((key) => !docs.includes(`\`${key}\``));
    expect(undocumented).toEqual([]);
  });

  it("matches a real output with every kind of reason and requirement, strictly", () => {
    assertBuilt();
    const repo = new TempRepo().commit("init", {
      ".github/guardrails.yml": POLICY,
      "src/auth/a.ts": "a\n",
      "README.md": "x\n",
    });
    repo
      .branch("change")
      .move("src/auth/a.ts", "src/auth/b.ts")
      .commit("Move the session code\n\nCo-authored-by: Claude <noreply@anthropic.com>", {
        "src/auth/c.ts": lines(60),
        ".github/guardrails.yml": `${POLICY}# edited\n`,
      });
    const { json, status } = repo.checkJson(["--base", "main", "--head", "change", "--preview"]);
    expect(status).toBe(0);
    const output = decisionOutputSchema.parse(json);
    expect(output.version).toBe(DECISION_OUTPUT_VERSION);
    expect(output.preview).toMatchObject({ tier: "high", conclusion: "failure" });
    expect(new Set(output.reasons.map((r) => r.kind))).toEqual(
      new Set(["rule", "default", "size", "agent", "policy_change"]),
    );
    expect(new Set(output.requirements.map((r) => r.kind))).toEqual(
      // The branch edits the policy: its proposed version is validated as the app does (proposed_policy).
      new Set(["approvals", "approvers", "tests", "ticket", "checklist", "changes_requested", "proposed_policy"]),
    );
  });

  it("refuses an output with a key it does not document", () => {
    const valid = {
      version: 1,
      tier: "low",
      conclusion: "success",
      mode: "enforce",
      wouldFail: false,
      reasons: [],
      requirements: [],
      checklist: [],
      agentAuthored: false,
      policyChanged: false,
      size: { lines: 0, files: 0, ignoredFiles: 0 },
      policy: { source: "built-in", path: null, ref: "main", sha: "a".repeat(40) },
      diff: {
        base: { ref: "main", sha: "a".repeat(40) },
        head: { ref: "HEAD", sha: "b".repeat(40), branch: "x" },
        mergeBase: "a".repeat(40),
        files: 0,
        renames: [],
      },
    };
    expect(decisionOutputSchema.safeParse(valid).success).toBe(true);
    expect(decisionOutputSchema.safeParse({ ...valid, surprise: true }).success).toBe(false);
    expect(
      decisionOutputSchema.safeParse({ ...valid, reasons: [{ kind: "rule", tier: "low", message: "m", extra: 1 }] })
        .success,
    ).toBe(false);
  });
});
