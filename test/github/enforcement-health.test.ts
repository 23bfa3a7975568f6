/**
 * Enforcement health in the app (issue 21): the FakeGitHub serves rulesets and branch protection
 * in GitHub's shapes; the check summary's first line warns where merges do not wait for the check,
 * says nothing where that is unknown, the reads happen at most once per repository and branch per
 * day, a `repository_ruleset` or `branch_protection_rule` event reads them again, and
 * `guardrails_repositories{enforcement}` counts repositories by state.
 */
import { describe, expect, it } from "@jest/globals";
import { EnforcementCache } from "../../src/github/enforcement-source.js";
import type { FakeRuleset } from "../support/fake-github.js";
import { readMetrics, sampleValue } from "../support/prometheus.js";
import { FILES, POLICY, TEST_APP_ID, useFakeGitHubNetwork, World } from "./harness.js";

useFakeGitHubNetwork();

const requireCheck = (integration_id?: number): FakeRuleset["rules"][number] => ({
  type: "required_status_checks",
  parameters: {
    strict_required_status_checks_policy: false,
    do_not_enforce_on_create: false,
    required_status_checks: [{ context: "guardrails", ...(integration_id ? { integration_id } : {}) }],
  },
});
const ruleset = (integration_id?: number): FakeRuleset => ({
  id: 7,
  name: "master protection",
  enforcement: "active",
  include: ["~DEFAULT_BRANCH"],
  rules: [requireCheck(integration_id)],
});

const NOT_WAITING = "⚠️ Merges into `master` do not wait for this check";
const UNPINNED = "⚠️ This check is required on `master` without its source pinned to this app";

/** A World with a clock the enforcement cache reads. */
function world(): { w: World; clock: { now: number } } {
  const clock = { now: Date.parse("2026-12-07T10:00:00Z") };
  const w = new World({ policy: POLICY, app: { enforcementCache: new EnforcementCache(undefined, () => clock.now) } });
  return { w, clock };
}

async function open(w: World, number: number) {
  const pr = w.addPullRequest({ number, files: FILES.medium, headSha: `${number}`.padStart(40, "c") });
  await w.receive("pull_request", w.pullRequestEvent("opened", pr));
  return w.checkRuns(pr.headSha)[0]!;
}

const ruleReads = (w: World, mark: number) => w.since(mark).filter((r) => r.path.includes("/rules/branches/")).length;

function rulesetEvent(w: World): object {
  return {
    action: "edited",
    repository_ruleset: { id: 7, name: "master protection", enforcement: "active" },
    repository: w.repository,
    sender: w.repository.owner,
    installation: { id: 1, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" },
  };
}

describe("enforcement health on the check", () => {
  it("required and pinned to this app: no warning; the gauge counts it pinned", async () => {
    const { w } = world();
    w.repo.rulesets = [ruleset(TEST_APP_ID)];
    const check = await open(w, 2);
    expect(check.conclusion).toBe("failure");
    expect(check.summary).not.toContain("⚠️");
    const metrics = await readMetrics();
    expect(sampleValue(metrics, "guardrails_repositories", { enforcement: "pinned" })).toBe(1);
    expect(sampleValue(metrics, "guardrails_repositories", { enforcement: "not_required" })).toBe(0);
  });

  it("required from any source: the summary starts with the unpinned warning", async () => {
    const { w } = world();
    w.repo.rulesets = [ruleset()];
    const check = await open(w, 2);
    expect(check.summary!.startsWith(UNPINNED)).toBe(true);
    expect(sampleValue(await readMetrics(), "guardrails_repositories", { enforcement: "required_unpinned" })).toBe(1);
  });

  it("not required: the summary starts with the warning that merges do not wait", async () => {
    const { w } = world();
    const check = await open(w, 2);
    expect(check.summary!.startsWith(NOT_WAITING)).toBe(true);
    // The rest of the check is as it was: the decision and its title.
    expect(check).toMatchObject({ conclusion: "failure", title: "Medium risk · missing: 1 more approval" });
  });

  it("branch protection not readable (no Administration permission): unknown, no claim either way", async () => {
    const { w } = world();
    w.fake.failNext((r) => r.path.endsWith("/branches/master/protection"), {
      status: 403,
      body: { message: "Resource not accessible by integration" },
    });
    const check = await open(w, 2);
    expect(check.summary).not.toContain("⚠️");
    expect(check.conclusion).toBe("failure");
    expect(sampleValue(await readMetrics(), "guardrails_repositories", { enforcement: "unknown" })).toBe(1);
  });

  it("a read that fails (500 on the rules) never fails the check and says nothing", async () => {
    const { w } = world();
    w.fake.failNext((r) => r.path.includes("/rules/branches/"), { status: 500 });
    const pr = w.addPullRequest({ number: 2, files: FILES.low });
    await w.receive("pull_request", w.pullRequestEvent("opened", pr));
    const [check] = w.checkRuns(pr.headSha);
    expect(check).toMatchObject({ conclusion: "success" });
    expect(check!.summary).not.toContain("⚠️");
  });
});

describe("enforcement health reads", () => {
  it("at most once per repository and branch per day; again after 24 hours", async () => {
    const { w, clock } = world();
    let mark = w.mark();
    await open(w, 2);
    expect(ruleReads(w, mark)).toBe(1);
    const protectionReads = w.since(mark).filter((r) => r.path.endsWith("/protection")).length;
    expect(protectionReads).toBe(1);

    mark = w.mark();
    await open(w, 3);
    await open(w, 4);
    clock.now += 23 * 3_600_000;
    await open(w, 5);
    expect(ruleReads(w, mark)).toBe(0);

    clock.now += 2 * 3_600_000;
    mark = w.mark();
    await open(w, 6);
    expect(ruleReads(w, mark)).toBe(1);
  });

  it("a repository_ruleset event reads them again at the next evaluation (and evaluates nothing itself)", async () => {
    const { w } = world();
    expect((await open(w, 2)).summary!.startsWith(NOT_WAITING)).toBe(true);

    w.repo.rulesets = [ruleset(TEST_APP_ID)];
    let mark = w.mark();
    await w.receive("repository_ruleset", rulesetEvent(w));
    expect(w.since(mark)).toHaveLength(0);

    mark = w.mark();
    const after = await open(w, 3);
    expect(ruleReads(w, mark)).toBe(1);
    expect(after.summary).not.toContain("⚠️");
  });

  it("a branch_protection_rule event reads them again too", async () => {
    const { w } = world();
    await open(w, 2);
    await w.receive("branch_protection_rule", {
      ...rulesetEvent(w),
      action: "edited",
      rule: { id: 1, name: "master" },
    });
    const mark = w.mark();
    await open(w, 3);
    expect(ruleReads(w, mark)).toBe(1);
  });
});
