/**
 * `guardrails check --org-policy FILE` predicts the app's combination of the repository's policy
 * and the organisation's; `validate --org` accepts `enforce` where the app does.
 */
import { afterAll, describe, expect, it } from "@jest/globals";
import { join } from "node:path";
import { assertBuilt, REPO_ROOT, removeTempDirs, TempRepo } from "./helpers.js";

afterAll(removeTempDirs);

const ORG_EXAMPLE = join(REPO_ROOT, "examples/organization.yml");
const LAX = "version: 1\ndefault_tier: low\ntiers: { low: {}, medium: {}, high: {} }\n";

function repository(policy: string | undefined): TempRepo {
  const repo = new TempRepo().commit("init", {
    ...(policy ? { ".github/guardrails.yml": policy } : {}),
    "README.md": "x\n",
  });
  repo.branch("ci").commit("Tweak CI", { ".github/workflows/ci.yml": "on: push\n" });
  return repo;
}

describe("guardrails check --org-policy", () => {
  it("an enforced organisation policy raises what the repository's lax policy lets through", () => {
    assertBuilt();
    const repo = repository(LAX);
    expect(repo.checkJson(["--base", "main", "--head", "ci"]).json).toMatchObject({
      tier: "low",
      conclusion: "success",
    });

    const { json, status } = repo.checkJson(["--base", "main", "--head", "ci", "--org-policy", ORG_EXAMPLE]);
    expect(status).toBe(0);
    expect(json).toMatchObject({
      tier: "high",
      conclusion: "failure",
      organizationPolicy: { path: ORG_EXAMPLE, role: "floor" },
    });
    expect(json.reasons).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: "default", tier: "low", policy: "repository" }),
        expect.objectContaining({ kind: "rule", rule: "ci-and-deploy", tier: "high", policy: "organization" }),
      ]),
    );
    const org = (json.requirements as unknown as { sources: string[]; policy?: string }[]).filter(
      (r) => r.policy === "organization",
    );
    expect(org.map((r) => r.sources[0])).toEqual(expect.arrayContaining(["org:tier:high", "org:rule:ci-and-deploy"]));

    const text = repo.run(["check", "--base", "main", "--head", "ci", "--org-policy", ORG_EXAMPLE]).stdout;
    expect(text).toContain("[organisation policy]");
    expect(text).toContain(`Organisation policy: ${ORG_EXAMPLE} (--org-policy), enforced: applies in addition`);
  });

  it("decides alone when the base has no policy, as the app's fallback", () => {
    const { json } = repository(undefined).checkJson(["--base", "main", "--head", "ci", "--org-policy", ORG_EXAMPLE]);
    expect(json).toMatchObject({
      tier: "high",
      policy: { source: "file", path: ORG_EXAMPLE },
      organizationPolicy: { role: "fallback" },
    });
    expect((json.reasons as unknown as { policy?: string }[]).every((r) => r.policy === undefined)).toBe(true);
  });

  it("without enforce, the repository's own policy decides", () => {
    const repo = repository(LAX);
    repo.write({ "org.yml": "version: 1\ndefault_tier: high\n" });
    const { json } = repo.checkJson(["--base", "main", "--head", "ci", "--org-policy", join(repo.dir, "org.yml")]);
    expect(json).toMatchObject({ tier: "low", organizationPolicy: { role: "not enforced" } });
  });

  it("validate --org accepts enforce, and without --org says where it belongs", () => {
    const repo = repository(LAX);
    expect(repo.run(["validate", "--org", ORG_EXAMPLE])).toMatchObject({ status: 0, stdout: `${ORG_EXAMPLE}: ok\n` });
    const refused = repo.run(["validate", ORG_EXAMPLE]);
    expect(refused.status).toBe(1);
    expect(refused.stdout).toMatch(/organization\.yml:\d+:1: enforce: only the organisation policy/);
  });
});
