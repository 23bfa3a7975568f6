/**
 * `guardrails check` and the 2026-12-07 additions: `checks` is judged on GitHub (the CLI cannot see
 * CI), `agents.trailers` reads the commits' trailers as the app does, and `mode: evaluate` concludes
 * success with `wouldFail`, never failing --strict. Every --json output is checked against the
 * decision schema by the helpers.
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { DecisionOutput } from "../../src/report/decision-schema.js";
import { assertBuilt, removeTempDirs, TempRepo, type CheckJson } from "./helpers.js";

const POLICY = `version: 1
rules:
  - name: docs
    tier: low
    paths: ["docs/**"]
agents:
  co_authors: ["*claude*"]
  trailers: [Co-authored-by, Assisted-by]
tests:
  source: ["src/**"]
  tests: ["test/**"]
tiers:
  low: {}
  medium:
    tests: true
    checks: [test, { name: CodeQL, app: github-advanced-security }]
  high: {}
`;

// The helpers check every output against the decision schema: its full type may be read.
const requirementsOf = (json: CheckJson, kind: string) =>
  (json as unknown as DecisionOutput).requirements.filter((r) => r.kind === kind);

let repo: TempRepo;

beforeAll(() => {
  assertBuilt();
  repo = new TempRepo();
  repo.commit("Initial import", {
    ".github/guardrails.yml": POLICY,
    "src/app.ts": "app\n",
    "docs/guide.md": "# Guide\n",
  });
  repo.branch("feature").commit("Change the app", { "src/app.ts": "app 2\n", "test/app.test.ts": "test\n" });
  repo
    .branch("assisted")
    .commit("Fix a typo\n\nAssisted-by: Claude <noreply@anthropic.com>", { "docs/guide.md": "# The guide\n" });
  repo
    .branch("trial")
    .commit("Try the policy in evaluate mode", { ".github/guardrails.yml": `${POLICY}mode: evaluate\n` })
    .commit("Change the app", { "src/app.ts": "app 3\n" });
  repo.checkout("main");
});
afterAll(removeTempDirs);

describe("guardrails check and checks", () => {
  it("reports each checks entry unmet, judged on GitHub, and the conclusion as the app would on no CI", () => {
    const { status, json } = repo.checkJson(["--base", "main", "--head", "feature", "--strict"]);
    expect(status).toBe(0); // checks are not judged locally: --strict does not fail on them
    expect(json).toMatchObject({ tier: "medium", conclusion: "failure", mode: "enforce", wouldFail: true });
    expect(requirementsOf(json, "checks").map((r) => [r.met, r.local, r.message, r.check])).toEqual([
      [
        false,
        false,
        "`test` is judged on GitHub: CI results on the head commit cannot be seen here",
        { name: "test", conclusions: ["success"] },
      ],
      [
        false,
        false,
        "`CodeQL` from the app github-advanced-security is judged on GitHub: CI results on the head commit cannot be seen here",
        { name: "CodeQL", app: "github-advanced-security", conclusions: ["success"] },
      ],
    ]);
  });

  it("says in the human output that checks can only be met on GitHub", () => {
    const out = repo.run(["check", "--base", "main", "--head", "feature"]).stdout;
    expect(out).toMatch(/ {2}✗ checks +`test` is judged on GitHub/);
    expect(out).toContain("checks can only be met on GitHub");
  });
});

describe("guardrails check and agents.trailers", () => {
  it("detects an agent by a listed Assisted-by trailer", () => {
    const { json } = repo.checkJson(["--base", "main", "--head", "assisted"]);
    expect(json.agentAuthored).toBe(true);
    expect(json.reasons).toContainEqual(
      expect.objectContaining({ kind: "agent", pattern: "*claude*", value: "Claude <noreply@anthropic.com>" }),
    );
  });
});

describe("guardrails check and mode: evaluate", () => {
  it("judges as enforce mode but concludes success and says it would fail", () => {
    const trial = repo.checkJson(["--base", "trial~1", "--head", "trial", "--strict"]);
    expect(trial.status).toBe(0); // a trial never fails, --strict included
    expect(trial.json).toMatchObject({ tier: "medium", conclusion: "success", mode: "evaluate", wouldFail: true });
    const unmet = (trial.json as unknown as DecisionOutput).requirements.filter((r) => !r.met);
    expect(unmet.map((r) => [r.kind, r.mode])).toEqual([
      ["tests", "evaluate"],
      ["checks", "evaluate"],
      ["checks", "evaluate"],
    ]);
    const out = repo.run(["check", "--base", "trial~1", "--head", "trial"]).stdout;
    expect(out).toContain(
      "Conclusion: success (3 of 4 requirements unmet; checks can only be met on GitHub; evaluate mode: the policy on trial would fail under enforcement)",
    );
  });
});
