/**
 * `guardrails check` on a branch that edits `.github/guardrails.yml`, as the app judges its PR: the
 * base's policy decides, the proposed file must load (`proposed_policy`, problems at line:column of
 * the head's file), and `--preview` shows how the proposed policy would judge the branch. Real git
 * repositories, the built command (dist/cli/main.js).
 */
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { assertBuilt, removeTempDirs, TempRepo } from "./helpers.js";

const BASE_POLICY = `version: 1
default_tier: low
rules:
  - name: docs
    tier: low
    paths: ["docs/**"]
tiers:
  low: {}
  medium: { approvals: 1 }
  high: { approvals: 2 }
`;

// Line 5, column 11: a tier that does not exist.
const BROKEN_POLICY = BASE_POLICY.replace(
  '    tier: low\n    paths: ["docs/**"]',
  '    tier: lowest\n    paths: ["docs/**"]',
);
// Changing the policy is itself high risk (policy_change); the proposed policy asks a ticket of high PRs too.
const STRICTER_POLICY = BASE_POLICY.replace("high: { approvals: 2 }", "high: { approvals: 2, ticket: true }");

beforeAll(assertBuilt);
afterAll(removeTempDirs);

function repoWithPolicy(): TempRepo {
  return new TempRepo().commit("init", { ".github/guardrails.yml": BASE_POLICY, "docs/guide.md": "# Guide\n" });
}

interface ProposedRequirement {
  kind: string;
  met: boolean;
  message: string;
  problems?: { line: number; column: number; message: string }[];
}

describe("guardrails check on a branch that edits the policy", () => {
  it("fails proposed_policy with every problem of the head's file at line:column, as the app does", () => {
    const repo = repoWithPolicy().branch("loosen").commit("Edit the policy", {
      ".github/guardrails.yml": BROKEN_POLICY,
      "docs/guide.md": "# Guide\nMore.\n",
    });
    const { status, json } = repo.checkJson(["--base", "main"]);
    expect(status).toBe(0);
    // Still judged by the base's policy: docs are low there.
    expect(json.policy).toMatchObject({ source: "ref", ref: "main" });
    expect(json.conclusion).toBe("failure");
    const proposed = (json.requirements as ProposedRequirement[]).find((r) => r.kind === "proposed_policy");
    expect(proposed).toMatchObject({ met: false, problems: [{ line: 5, column: 11 }] });
    expect(proposed!.message).toMatch(/^the proposed policy has 1 problem, the first at line 5, column 11: /);

    const human = repo.run(["check", "--base", "main"]);
    expect(human.status).toBe(0);
    expect(human.stdout).toMatch(/✗ proposed_policy +the proposed policy has 1 problem/);
    expect(human.stdout).toMatch(/\n +HEAD:\.github\/guardrails\.yml:5:11: rules\[0\]\.tier: /);
    // --strict: the proposed policy is judged locally, so it fails the run.
    expect(repo.run(["check", "--base", "main", "--strict"]).status).toBe(1);
  });

  it("with --preview, shows how a valid proposed policy would judge the branch (the decision still comes from the base)", () => {
    const repo = repoWithPolicy().branch("stricter").commit("Ask high-risk changes for a ticket", {
      ".github/guardrails.yml": STRICTER_POLICY,
      "docs/guide.md": "# Guide\nMore.\n",
    });
    const { status, json } = repo.checkJson(["--base", "main", "--preview"]);
    expect(status).toBe(0);
    expect(json.tier).toBe("high");
    expect(json.requirements.map((r) => r.kind)).not.toContain("ticket");
    expect(json.requirements).toContainEqual(
      expect.objectContaining({
        kind: "proposed_policy",
        met: true,
        message: "the proposed .github/guardrails.yml is valid",
      }),
    );
    const preview = (json as unknown as { preview: { message: string; tier: string; conclusion: string } }).preview;
    expect(preview).toMatchObject({ tier: "high", conclusion: "failure" });
    expect(preview.message).toBe(
      "under the proposed policy this branch would be high (failure: approvals, ticket unmet); the decision above still comes from the base's policy",
    );

    const human = repo.run(["check", "--base", "main", "--preview"]);
    expect(human.stdout).toContain(
      "Preview: under the proposed policy this branch would be high (failure: approvals, ticket unmet)",
    );
    expect(human.stdout).toMatch(/\n {2}✗ ticket {2}/);
  });

  it("says what --preview cannot show: a branch that deletes the policy, or one that does not change it", () => {
    const deleting = repoWithPolicy().branch("drop");
    deleting.git("rm", "-q", ".github/guardrails.yml");
    deleting.commit("Drop the policy");
    const dropped = deleting.checkJson(["--base", "main", "--preview"]).json;
    expect(dropped.requirements).toContainEqual(expect.objectContaining({ kind: "proposed_policy", met: true }));
    expect((dropped as unknown as { preview: { message: string } }).preview.message).toMatch(
      /^this branch deletes \.github\/guardrails\.yml: once merged/,
    );

    const plain = repoWithPolicy().branch("docs").commit("Docs", { "docs/guide.md": "# Guide\nMore.\n" });
    const result = plain.checkJson(["--base", "main", "--preview"]);
    expect(result.json.requirements.map((r) => r.kind)).not.toContain("proposed_policy");
    expect((result.json as unknown as { preview: unknown }).preview).toEqual({
      message: "this branch does not change .github/guardrails.yml: nothing to preview",
    });
  });
});
