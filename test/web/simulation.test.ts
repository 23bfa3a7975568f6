/**
 * The simulate API's answer (src/web/simulation.ts, pure) for the 2026-12-07 additions: `checks`
 * judged on GitHub, `trailers` read like commit trailers, and `mode: evaluate` in the JSON.
 */
import { describe, expect, it } from "@jest/globals";
import { decisionOutputSchema, type DecisionOutput } from "../../src/report/decision-schema.js";
import { parseSimulateBody, simulate } from "../../src/web/simulation.js";

function answer(body: unknown): DecisionOutput {
  const parsed = parseSimulateBody(body);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
  const result = simulate(parsed.value);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return decisionOutputSchema.parse(JSON.parse(result.json));
}

const POLICY = `version: 1
agents:
  co_authors: ["*claude*"]
  trailers: [Co-authored-by, Assisted-by]
tiers:
  low: {}
  medium: { approvals: 1, checks: [test] }
  high: {}
`;

describe("POST /api/simulate and the additions", () => {
  it("reports checks unmet, judged on GitHub, however many approvals", () => {
    const decision = answer({ policy: POLICY, pull_request: { files: [{ path: "src/a.ts" }], approvals: ["alice"] } });
    expect(decision.requirements.filter((r) => !r.met).map((r) => [r.kind, r.message])).toEqual([
      ["checks", "`test` is judged on GitHub: CI results on the head commit cannot be seen here"],
    ]);
    expect(decision).toMatchObject({ conclusion: "failure", mode: "enforce", wouldFail: true });
  });

  it("reads trailers as commit trailer lines, for agents.trailers", () => {
    const body = (trailers: string[]) => ({
      policy: POLICY,
      pull_request: { files: [{ path: "docs/a.md" }], trailers },
    });
    expect(answer(body(["Assisted-by: Claude <noreply@anthropic.com>"])).agentAuthored).toBe(true);
    expect(answer(body(["Reviewed-by: Claude <noreply@anthropic.com>"])).agentAuthored).toBe(false);
    expect(answer(body([])).agentAuthored).toBe(false);
  });

  it("carries mode: evaluate, concluding success with wouldFail", () => {
    const decision = answer({ policy: `${POLICY}mode: evaluate\n`, pull_request: { files: [{ path: "src/a.ts" }] } });
    expect(decision).toMatchObject({ conclusion: "success", mode: "evaluate", wouldFail: true });
    expect(decision.requirements.every((r) => r.mode === "evaluate")).toBe(true);
  });

  it("discounts an approver named as a no-reply co-author with ignore_contributors", () => {
    const decision = answer({
      policy:
        "version: 1\napprovals:\n  ignore_contributors: true\ntiers:\n  low: {}\n  medium: { approvals: 1 }\n  high: {}\n",
      pull_request: {
        files: [{ path: "src/a.ts" }],
        approvals: ["alice"],
        co_authors: ["Alice <12345+alice@users.noreply.github.com>"],
      },
    });
    expect(decision.requirements[0]).toMatchObject({
      kind: "approvals",
      met: false,
      contributorsNotCounted: [{ login: "alice", why: "is a co-author of a commit (Co-authored-by)" }],
    });
  });
});
