/**
 * What the `approvals.ignore_contributors` tests of the pipeline share: a medium tier needing one
 * approval that a contributor's does not meet, one changed file, and a push by a given person.
 */
import type { FakePullRequest } from "../support/fake-github.js";
import type { World } from "../github/harness.js";

export const INDEPENDENT = `version: 1
default_tier: medium
tiers:
  low: {}
  medium:
    approvals: 1
  high: {}
approvals:
  ignore_contributors: true
labels: { prefix: false }
`;

export const FILES = [{ filename: "src/app.ts", status: "modified" as const, additions: 3, deletions: 1 }];

/** A `synchronize` sent by `login`, from `before` (the payload's own when not given) to the PR's head. */
export const synchronizeBy = (w: World, pr: FakePullRequest, login: string, before?: string) =>
  w.pullRequestEvent("synchronize", pr, (p) => {
    (p as unknown as { sender: { login: string } }).sender.login = login;
    if (before !== undefined) (p as unknown as { before: string }).before = before;
  });
