/**
 * `approvals.ignore_contributors` (policy-v1 "Additions … 2026-12-07"): whoever authored or
 * committed a commit, is named by a no-reply Co-authored-by trailer, or pushed to the PR does not
 * count as an approver, for approvals, approvers and codeowners alike; the check names them and why.
 */
import { describe, expect, it } from "@jest/globals";
import type { Contributor, PullRequestFacts } from "../../src/engine/types.js";
import { parseCodeOwners } from "../../src/policy/codeowners.js";
import type { PolicyInput } from "../../src/policy/schema.js";
import { approve, file, policy, requestChanges, requirement, run } from "./fixtures.js";

const ALICE_PUSHED: Contributor[] = [{ login: "alice", why: "pushed to this PR" }];

/** A medium PR demanding `spec`, with `ignore_contributors` as given. */
type Spec = NonNullable<NonNullable<PolicyInput["tiers"]>["medium"]>;

const judge = (spec: Spec, ignore: boolean, facts: Partial<PullRequestFacts>) =>
  run(policy({ approvals: { ignore_contributors: ignore }, tiers: { low: {}, medium: spec, high: {} } }), {
    files: [file("src/app.ts")],
    repositoryOwner: "acme",
    ...facts,
  });

describe("contributors do not count as approvers", () => {
  it.each<[string, boolean, string[], string]>([
    [
      "without ignore_contributors a pusher's approval counts",
      false,
      ["alice"],
      "1 approval required, 1 valid (alice)",
    ],
    [
      "with it, it does not, and the check says who and why",
      true,
      [],
      "1 approval required, 0 valid; not counted: alice pushed to this PR",
    ],
  ])("approvals: %s", (_name, ignore, approvedBy, message) => {
    const decision = judge({ approvals: 1 }, ignore, { reviews: [approve("alice")], contributors: ALICE_PUSHED });
    expect(requirement(decision, "approvals")).toMatchObject({ approvedBy, message, met: approvedBy.length > 0 });
    expect(decision.conclusion).toBe(approvedBy.length ? "success" : "failure");
  });

  it("approvers: a group member who contributed is not counted, and named", () => {
    const spec = { approvers: [{ users: ["alice", "bob"] }] };
    const facts = { reviews: [approve("alice")], contributors: ALICE_PUSHED };
    expect(requirement(judge(spec, false, facts), "approvers")).toMatchObject({ met: true, approvedBy: ["alice"] });
    const discounted = requirement(judge(spec, true, facts), "approvers");
    expect(discounted).toMatchObject({
      met: false,
      approvedBy: [],
      contributorsNotCounted: [{ login: "alice", why: "pushed to this PR" }],
      message: "1 approval from alice or bob required, 0 so far; not counted: alice pushed to this PR",
    });
  });

  it("codeowners: an owner who contributed is not counted, and named", () => {
    const facts = {
      reviews: [approve("alice")],
      contributors: [{ login: "alice", why: "authored a commit" as const }],
      codeOwners: parseCodeOwners("/src/ @alice @bob\n"),
    };
    expect(requirement(judge({ codeowners: true }, false, facts), "codeowners").met).toBe(true);
    const discounted = requirement(judge({ codeowners: true }, true, facts), "codeowners");
    expect(discounted.met).toBe(false);
    expect(discounted.message).toContain("; not counted: alice authored a commit of this PR");
    expect(discounted.contributorsNotCounted).toEqual([{ login: "alice", why: "authored a commit of this PR" }]);
  });

  it.each<[string, Partial<PullRequestFacts>, string]>([
    [
      "a commit's author",
      { contributors: [{ login: "Alice", why: "authored a commit" }] },
      "alice authored a commit of this PR",
    ],
    ["a commit's committer", { contributors: [{ login: "alice", why: "committed" }] }, "alice committed to this PR"],
    [
      "a no-reply Co-authored-by trailer (ID+login)",
      { coAuthors: ["Alice Doe <1234567+alice@users.noreply.github.com>"] },
      "alice is a co-author of a commit (Co-authored-by)",
    ],
    [
      "a no-reply Co-authored-by trailer (login only, older accounts)",
      { trailers: [{ key: "co-authored-by", value: "A <alice@users.noreply.github.com>" }] },
      "alice is a co-author of a commit (Co-authored-by)",
    ],
    [
      "several ways at once, named in a fixed order",
      {
        contributors: [
          { login: "alice", why: "committed" },
          { login: "alice", why: "pushed to this PR" },
        ],
      },
      "alice pushed to this PR and committed to this PR",
    ],
    [
      "commits nobody could read (they may be anyone's)",
      { coAuthorsComplete: false },
      "alice may have contributed: the PR has more commits than could be read",
    ],
    [
      "pushers that cannot be known (the head's push not handled yet)",
      { pushersUnknown: "the push is not handled yet" },
      "alice may have pushed to this PR: the push is not handled yet",
    ],
  ])("a contributor by %s", (_name, facts, note) => {
    const decision = judge({ approvals: 1 }, true, { reviews: [approve("alice")], ...facts });
    expect(requirement(decision, "approvals")).toMatchObject({ met: false, approvedBy: [] });
    expect(requirement(decision, "approvals").message).toContain(`not counted: ${note}`);
  });

  it.each<[string, Partial<PullRequestFacts>]>([
    ["a Co-authored-by with another address", { coAuthors: ["Alice <alice@example.com>"] }],
    [
      "a no-reply address in another trailer",
      { trailers: [{ key: "Assisted-by", value: "A <1+alice@users.noreply.github.com>" }] },
    ],
    ["a no-reply address of another host", { coAuthors: ["A <1+alice@users.noreply.github.com.evil.test>"] }],
    ["another contributor", { contributors: [{ login: "bob", why: "pushed to this PR" }] }],
  ])("not a contributor: %s", (_name, facts) => {
    const decision = judge({ approvals: 1 }, true, { reviews: [approve("alice")], ...facts });
    expect(requirement(decision, "approvals")).toMatchObject({ met: true, approvedBy: ["alice"] });
  });

  it("a contributor's change request still blocks", () => {
    const decision = judge({ approvals: 0 }, true, { reviews: [requestChanges("alice")], contributors: ALICE_PUSHED });
    expect(requirement(decision, "changes_requested")).toMatchObject({ met: false, reviewers: ["alice"] });
  });

  it("the PR author is named as the author, not as a contributor", () => {
    const decision = judge({ approvals: 1 }, true, {
      author: { login: "alice", isBot: false },
      reviews: [approve("alice")],
      contributors: ALICE_PUSHED,
    });
    expect(requirement(decision, "approvals").message).toBe(
      "1 approval required, 0 valid; not counted: alice is the PR author",
    );
  });
});
