/**
 * Issue 19 item 11: a PR on the owner's `.github` repository into a side branch is held to the
 * organisation floor (the policy at the `.github` repository's default branch), not only to the
 * side branch's own copy of the policy, which its writer controls.
 */
import { describe, expect, it } from "@jest/globals";
import type { GitHub } from "../../src/github/octokit.js";
import { PolicyCache, resolvePolicy } from "../../src/github/policy-source.js";
import type { PullRequestSnapshot } from "../../src/github/snapshot.js";

const FLOOR = `version: 1
enforce: true
default_tier: high
tiers:
  low: {}
  medium: {}
  high: { approvals: 2 }
`;
const LAX_COPY = `version: 1
default_tier: low
tiers:
  low: {}
  medium: {}
  high: {}
`;
const texts: Record<string, string> = { floor: FLOOR, lax: LAX_COPY };
/** Answers blob reads only, by blob id. */
const github = {
  request: (_route: string, params: { file_sha: string }) =>
    Promise.resolve({ data: { content: texts[params.file_sha]!, encoding: "utf-8" } }),
} as unknown as GitHub;

const location = (commit: string, blobOid: string) => ({ repository: "acme/.github", commit, blobOid });

describe("the `.github` repository's own PRs", () => {
  it("into a side branch with a lax copy of the policy: the floor at the default branch applies in addition", async () => {
    const snapshot = {
      basePolicy: location("side", "lax"),
      orgPolicy: location("main", "floor"),
    } as unknown as PullRequestSnapshot;
    const resolved = await resolvePolicy(github, new PolicyCache(), snapshot);
    expect(resolved.source).toMatchObject({ kind: "repository", commit: "side" });
    expect(resolved.floor?.source).toMatchObject({ kind: "organization", commit: "main" });
  });

  it("into the default branch: the organisation policy is its own policy, once", async () => {
    const snapshot = {
      basePolicy: location("main", "floor"),
      orgPolicy: location("main", "floor"),
    } as unknown as PullRequestSnapshot;
    const resolved = await resolvePolicy(github, new PolicyCache(), snapshot);
    expect(resolved.floor).toBeUndefined();
  });
});
