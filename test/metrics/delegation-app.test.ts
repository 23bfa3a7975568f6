/**
 * The delegation figures move as a PR's life goes: opened and failing, approved and passing, an
 * agent's PR, a PR that grows into a higher tier, and a restart (a fresh app) in between: the
 * figures' state travels with the check run, not the process.
 */
import { describe, expect, it } from "@jest/globals";
import { readMetrics, sampleValue, type Reading } from "../support/prometheus.js";
import { FILES, POLICY, sha, useFakeGitHubNetwork, World } from "../github/harness.js";

useFakeGitHubNetwork();

const figures = readMetrics;

/** The change of every named series between two readings. */
function delta(before: Reading, after: Reading, name: string, labels: Record<string, string> = {}): number {
  return sampleValue(after, name, labels) - sampleValue(before, name, labels);
}

const AGENT_POLICY = `${POLICY}agents:\n  authors: ["*[bot]"]\n  min_tier: medium\n`;

describe("delegation figures over a scripted PR life", () => {
  it("opened failing → approved → passing: one new PR, one review wait and one first pass at medium", async () => {
    const w = new World({ policy: POLICY });
    const pr = w.addPullRequest({ number: 2, files: FILES.medium });
    const start = await figures();

    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    const opened = await figures();
    expect(delta(start, opened, "guardrails_pull_requests_total", { agent: "false" })).toBe(1);
    expect(
      delta(start, opened, "guardrails_evaluations_total", {
        tier: "medium",
        conclusion: "failure",
        trigger: "pull_request",
        agent: "false",
      }),
    ).toBe(1);
    expect(delta(start, opened, "guardrails_time_to_first_pass_seconds_count")).toBe(0);
    expect(delta(start, opened, "guardrails_evaluation_duration_seconds_count", { status: "evaluated" })).toBe(1);

    pr.reviews.push({ user: "reviewer", state: "APPROVED", commit: pr.headSha, association: "MEMBER" });
    await w.receive("pull_request_review", w.reviewEvent("submitted", pr, { user: "reviewer", state: "APPROVED" }));
    const approved = await figures();
    expect(delta(opened, approved, "guardrails_pull_requests_total")).toBe(0);
    expect(delta(opened, approved, "guardrails_review_wait_seconds_count", { tier: "medium" })).toBe(1);
    expect(
      delta(opened, approved, "guardrails_time_to_first_pass_seconds_count", { tier: "medium", agent: "false" }),
    ).toBe(1);
    expect(delta(opened, approved, "guardrails_evaluations_total", { tier: "medium", conclusion: "success" })).toBe(1);

    // The same delivery again: evaluated, but no figure of the PR's life moves a second time.
    await w.receive("pull_request_review", w.reviewEvent("submitted", pr, { user: "reviewer", state: "APPROVED" }));
    const repeated = await figures();
    expect(delta(approved, repeated, "guardrails_review_wait_seconds_count")).toBe(0);
    expect(delta(approved, repeated, "guardrails_time_to_first_pass_seconds_count")).toBe(0);
    expect(delta(approved, repeated, "guardrails_evaluations_total")).toBe(1);
  });

  it("a fresh app continues a PR's record from its check run (a restart or another replica)", async () => {
    const w = new World({ policy: POLICY });
    const pr = w.addPullRequest({ number: 2, files: FILES.medium });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    const before = await figures();

    const replica = w.replica();
    pr.reviews.push({ user: "reviewer", state: "APPROVED", commit: pr.headSha, association: "MEMBER" });
    await replica.receive(
      "pull_request_review",
      w.reviewEvent("submitted", pr, { user: "reviewer", state: "APPROVED" }),
    );
    const after = await figures();
    expect(delta(before, after, "guardrails_pull_requests_total")).toBe(0);
    expect(delta(before, after, "guardrails_review_wait_seconds_count", { tier: "medium" })).toBe(1);
  });

  it("a push carries the PR's record to the new head: no second new PR, no second first pass", async () => {
    const w = new World({ policy: POLICY });
    const pr = w.addPullRequest({ number: 5, files: FILES.medium });
    pr.reviews.push({ user: "reviewer", state: "APPROVED", commit: pr.headSha, association: "MEMBER" });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    const passed = await figures();

    const before = pr.headSha;
    pr.headSha = sha("a new push");
    pr.reviews = [];
    await w.receive(
      "pull_request",
      w.pullRequestEvent("synchronize", pr, (p) => (p.before = before)),
    );
    const pushed = await figures();
    expect(delta(passed, pushed, "guardrails_pull_requests_total")).toBe(0);
    expect(delta(passed, pushed, "guardrails_evaluations_total", { conclusion: "failure" })).toBe(1);

    pr.reviews.push({ user: "reviewer", state: "APPROVED", commit: pr.headSha, association: "MEMBER" });
    await w.receive("pull_request_review", w.reviewEvent("submitted", pr, { user: "reviewer", state: "APPROVED" }));
    const again = await figures();
    expect(delta(pushed, again, "guardrails_time_to_first_pass_seconds_count")).toBe(0);
    expect(delta(pushed, again, "guardrails_evaluations_total", { conclusion: "success" })).toBe(1);
  });

  it("an agent's PR counts as agent-authored in evaluations and PRs", async () => {
    const w = new World({ policy: AGENT_POLICY });
    const pr = w.addPullRequest({ number: 3, files: FILES.low, author: { login: "dependabot[bot]", isBot: true } });
    const before = await figures();
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    const after = await figures();
    expect(delta(before, after, "guardrails_pull_requests_total", { agent: "true" })).toBe(1);
    expect(delta(before, after, "guardrails_evaluations_total", { agent: "true", tier: "medium" })).toBe(1);
  });

  it("a PR that grows from medium into high counts one tier change", async () => {
    const w = new World({ policy: POLICY });
    const pr = w.addPullRequest({ number: 4, files: FILES.medium });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    const before = await figures();
    pr.files = [...FILES.medium, ...FILES.high];
    await w.receive(
      "pull_request",
      w.pullRequestEvent("opened", pr, (p) =>
        Object.assign(p, { action: "edited", changes: { title: { from: "Old title" } } }),
      ),
    );
    const after = await figures();
    expect(delta(before, after, "guardrails_tier_changes_total", { from: "medium", to: "high" })).toBe(1);
    expect(delta(before, after, "guardrails_pull_requests_total")).toBe(0);
  });
});

describe("overrides in the figures", () => {
  it("an override counts once in guardrails_overrides_total and is not a first pass; a refused one counts by its reason", async () => {
    const w = new World({ policy: `${POLICY}overrides:\n  users: [cto]\n` });
    w.repo.collaborators = { cto: "admin", alice: "write" };
    const pr = w.addPullRequest({ number: 7, files: FILES.high });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    const opened = await figures();

    const command = (id: number, body: string, author: string) => {
      pr.comments.push({ id, body, user: author, byApp: false });
      return w.receive("issue_comment", w.commentCreatedEvent(pr, { id, body, author }));
    };
    await command(801, "/guardrails override INC-9 outage", "alice");
    const refused = await figures();
    expect(delta(opened, refused, "guardrails_overrides_refused_total", { reason: "not_allowed" })).toBe(1);
    expect(delta(opened, refused, "guardrails_overrides_total")).toBe(0);

    await command(802, "/guardrails override INC-9 outage", "cto");
    const granted = await figures();
    expect(delta(refused, granted, "guardrails_overrides_total")).toBe(1);
    expect(delta(refused, granted, "guardrails_evaluations_total", { tier: "high", conclusion: "success" })).toBe(1);
    expect(delta(refused, granted, "guardrails_time_to_first_pass_seconds_count")).toBe(0);

    // The same command delivered again moves nothing.
    await w.receive(
      "issue_comment",
      w.commentCreatedEvent(pr, { id: 802, body: "/guardrails override INC-9 outage", author: "cto" }),
    );
    expect(delta(granted, await figures(), "guardrails_overrides_total")).toBe(0);
  });
});
